"""What pupils and staff write, checked before anyone else reads it: private details, text speak,
unkind words and worries. Core, because the class blog and the school news both use it."""
