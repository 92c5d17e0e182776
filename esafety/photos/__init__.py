"""Pictures the class blog and the school news share: the table, storage and photo consent."""
