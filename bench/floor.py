"""The floor: a bare Flask route returning a short string, served under the app's exact server
settings (same gunicorn worker class, workers, threads and load generator), so each page's
throughput can be read as a share of what the stack itself can do on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def floor() -> str:
    return "ok"
