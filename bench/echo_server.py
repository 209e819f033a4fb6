"""The floor for `bench_sockets.py`: a bare flask-sock echo server, nothing else.

Served by the same gunicorn settings and the same SOCK_SERVER_OPTIONS as Aurion.
"""

from flask import Flask
from flask_sock import Sock

from aurion.config import Config

app = Flask(__name__)
app.config["SOCK_SERVER_OPTIONS"] = Config.SOCK_SERVER_OPTIONS
sock = Sock(app)


@app.get("/")
def index():
    return "echo"


@sock.route("/echo")
def echo(ws):
    while True:
        ws.send(ws.receive())
