"""Parse workers forked from one server (db/workers.py): started once, reading the environment
of their pool's creation."""

from __future__ import annotations

import os

from nianbao.db.workers import WorkerPool

WAIT = 120  # s: a hang guard only


def _parents(workers: int) -> set[int]:
    with WorkerPool(workers) as pool:
        return {f.result(timeout=WAIT) for f in [pool.submit(os.getppid) for _ in range(2 * workers)]}


def test_pools_fork_their_workers_from_one_server_started_once():
    first, second = _parents(2), _parents(2)
    assert first == second and len(first) == 1 and os.getpid() not in first


def test_a_worker_reads_the_environment_its_pool_was_made_in(monkeypatch):
    """A setting changed for a run (NIANBAO_MAX_PAGES=…) reaches the workers made after it, as
    it reached spawned ones: the server is started again."""
    for value in ("1", "2"):
        monkeypatch.setenv("NIANBAO_MAX_PAGES", value)
        with WorkerPool(1) as pool:
            assert pool.submit(os.getenv, "NIANBAO_MAX_PAGES").result(timeout=WAIT) == value


def test_a_pool_made_while_another_runs_takes_the_new_environment_and_leaves_the_other_working(monkeypatch):
    """The server is not started again under a running pool (its workers would be taken for
    dead); the new pool's workers still read the environment they were made in."""
    monkeypatch.setenv("NIANBAO_MAX_PAGES", "1")
    with WorkerPool(1) as running:
        assert running.submit(os.getenv, "NIANBAO_MAX_PAGES").result(timeout=WAIT) == "1"
        monkeypatch.setenv("NIANBAO_MAX_PAGES", "2")
        with WorkerPool(1) as made_now:
            assert made_now.submit(os.getenv, "NIANBAO_MAX_PAGES").result(timeout=WAIT) == "2"
        assert running.submit(os.getenv, "NIANBAO_MAX_PAGES").result(timeout=WAIT) == "1"
