"""Datasette as a child process of the app: started on a free port, ready when it answers, stopped
with the app. `nianbao serve` runs the same command in the foreground."""

from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

from nianbao.publish.datasette import ServeCommand, serve_published_command, served_urls


class ServeError(Exception):
    """Datasette did not start; the message says why (its own last output line when it has one)."""


def free_port(start: int = 8001, tries: int = 50) -> int:
    """The first port from `start` that nothing on 127.0.0.1 listens on."""
    for port in range(start, start + tries):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServeError(f"端口 {start}–{start + tries - 1} 都已被占用：请用 --port 另选端口")


class Server:
    """One `datasette serve` of a published folder."""

    def __init__(self, out: Path, port: int | None = None) -> None:
        self.out = Path(out)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None  # the child's output, open while it runs
        self.datasette_url, self.site_url = served_urls(self.port)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        """Start Datasette and wait until it answers; raise ServeError if it exits or stays silent."""
        if not (self.out / "datasette").is_dir():
            raise ServeError(f"{self.out}: 这里还没有发布过：请先运行 nianbao publish")
        # Its log goes to a file, not a pipe: an unread pipe fills up and stalls the server.
        self._log = log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed by stop()
        command = serve_published_command(self.out, port=self.port)
        self.process = subprocess.Popen(command.argv, cwd=command.cwd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message = f"Datasette 已退出（Datasette：{_last_line(log)}）"
                self.stop()  # reap the child and close its log, as when it stays silent
                raise ServeError(message)
            if self._answers():
                return
            time.sleep(0.1)
        self.stop()
        raise ServeError(f"Datasette 在 {timeout:.0f} 秒内没有在端口 {self.port} 上应答")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.datasette_url}-/versions.json", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def _last_line(log: IO[bytes]) -> str:
    """The last line the child wrote: Datasette's own reason for exiting."""
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "没有输出"


STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def serve_in_foreground(command: ServeCommand) -> int:
    """Run Datasette as `nianbao serve` does, until it ends; its exit status. `kill -TERM`
    or `-HUP` of this process stops Datasette too (it kept serving on the port when only its
    parent ended); Ctrl-C reaches both, and this process waits for Datasette to stop."""
    child = subprocess.Popen(command.argv, cwd=command.cwd)

    def stop(signum: int, frame: object) -> None:
        child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in STOPPING_SIGNALS}
    try:
        while True:
            try:
                return _exit_status(child.wait())
            except KeyboardInterrupt:  # the terminal sent Ctrl-C to Datasette too
                child.send_signal(signal.SIGTERM)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()


def _exit_status(code: int) -> int:
    """A child ended by a signal (negative code) as a shell reports it: 128 + the signal."""
    return 128 - code if code < 0 else code
