"""The pre-commit hook's environment for tests/test_precommit.py, built before the tests run
(`make precommit`, a prerequisite of `make test`), so that no test installs anything.

Why not warm the cache with `pre-commit try-repo`: try-repo makes a new store in a temporary
folder on every call (pre_commit/commands/try_repo.py: `Store(tempdir)`), so what one try-repo
installs no other can reuse, and its shadow commit of a working tree holds only tracked files
(`git add -u`). What try-repo runs after that is `pre-commit run` over the config
`{repo, rev, hooks: [{id}]}`; the test runs exactly that, with PRE_COMMIT_HOME in this checkout
(pre-commit keys environments by repo and rev).

The rev: a commit of the working tree's build inputs (tracked and untracked, not ignored) in a
repository of our own under .cache/, written with fixed names and dates, so the same files give
the same commit: unchanged code reuses the environment, changed code gets a new one at the next
`make precommit`, and the test (which computes the same commit) knows whether it is there.
"""

from __future__ import annotations

import glob
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
HOME = CACHE / "pre-commit"  # PRE_COMMIT_HOME
REPO = CACHE / "pre-commit-repo"  # the snapshots of the working tree the hook is installed from
HOOK = "provisioner-lint"
# What `pip install .` of the hook's repository reads.
INPUTS = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "provisioner", "policies"]
FIXED = {
    "GIT_AUTHOR_NAME": "provisioner tests",
    "GIT_AUTHOR_EMAIL": "tests@provisioner.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "provisioner tests",
    "GIT_COMMITTER_EMAIL": "tests@provisioner.invalid",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}


def _git(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", *args], env={**clean, **(env or {})}, input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def snapshot() -> str:
    """The commit (in REPO) of the working tree's build inputs; the same files, the same sha."""
    listed = _git(
        "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *INPUTS
    )
    files = sorted({f for f in listed.split("\0") if f and (ROOT / f).is_file()})
    if not (REPO / "HEAD").exists():
        REPO.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", str(REPO))
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **FIXED,
            "GIT_DIR": str(REPO),
            "GIT_WORK_TREE": str(ROOT),
            "GIT_INDEX_FILE": f"{scratch}/index",
        }
        _git(
            "add",
            "--force",
            "--pathspec-from-file=-",
            "--pathspec-file-nul",
            env=env,
            stdin="\0".join(files).encode(),
        )
        tree = _git("write-tree", env=env)
        commit = _git("commit-tree", tree, "-m", "the working tree, for the pre-commit tests", env=env)
    _git("--git-dir", str(REPO), "update-ref", f"refs/heads/snapshot-{commit[:12]}", commit)
    return commit


def config(rev: str) -> dict[str, object]:
    """What try-repo writes for `try-repo REPO provisioner-lint --ref REV`."""
    return {"repos": [{"repo": str(REPO), "rev": rev, "hooks": [{"id": HOOK}]}]}


def installed(rev: str) -> bool:
    """Has `make precommit` built the hook's environment for this rev in HOME?"""
    database = HOME / "db.db"
    if not database.exists():
        return False
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT path FROM repos WHERE repo = ? AND ref = ?", (str(REPO), rev)).fetchone()
    return row is not None and bool(glob.glob(os.path.join(row[0], "py_env-*", ".install_state_v2")))


def environment() -> dict[str, str]:
    """pre-commit's environment: our HOME, none of this checkout's PYTHONPATH (the hook runs
    from its own install)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PRE_COMMIT_HOME": str(HOME), "PRE_COMMIT_COLOR": "never"}


def main() -> int:
    import json

    try:
        rev = snapshot()
        if installed(rev):
            print(f"pre-commit: the hook's environment for the working tree ({rev[:12]}) is ready")
            return 0
        # The config stays: `pre-commit gc` keeps what a config on disk names, so it removes
        # the environments of earlier working trees (each is a full install, boto3 included).
        path = CACHE / "pre-commit-config.yaml"
        path.write_text(json.dumps(config(rev)))  # JSON is YAML
        with tempfile.TemporaryDirectory() as scratch:
            _git("init", "--quiet", scratch)
            for command in (["install-hooks", "--config", str(path)], ["gc"]):
                subprocess.run(
                    [sys.executable, "-m", "pre_commit", *command], cwd=scratch, env=environment(), check=True
                )
        print(f"pre-commit: installed the hook's environment for the working tree ({rev[:12]})")
        return 0
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or b""
        print(
            f"pre-commit: cannot build the hook's environment: {exc} {detail.decode()[-500:]}",
            file=sys.stderr,
        )
        print("the pre-commit tests will skip (and fail where CI is set)", file=sys.stderr)
        return 1 if os.environ.get("CI") else 0


if __name__ == "__main__":
    sys.exit(main())
