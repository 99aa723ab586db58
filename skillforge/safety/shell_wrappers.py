"""Commands that run another command (``sudo``, ``env``, ``timeout 30``, ``chrt -f 10``, ``su -c …``), for
the shell check: :func:`unwrap` drops them from a command's words, so the rules see the command that
runs, and keeps the ``NAME=value`` settings they give it (``env NODE_TLS_REJECT_UNAUTHORIZED=0 npm
install`` sets what ``NODE_TLS_REJECT_UNAUTHORIZED=0 npm install`` sets).
"""

from __future__ import annotations

import re

from skillforge.safety.shell_interpreters import base

WRAPPERS = frozenset(
    {"sudo", "doas", "env", "exec", "command", "nohup", "time", "xargs", "builtin", "nice"}
    | {"timeout", "stdbuf", "setsid", "unbuffer", "ionice", "busybox", "pkexec", "runuser", "chrt"}
    | {"taskset", "setpriv", "unshare", "firejail", "systemd-run", "strace", "ltrace", "catchsegv"}
    | {"caffeinate", "arch", "proxychains", "proxychains4", "torsocks", "flock", "su", "sg", "script"}
)
_VALUED = ("-u", "-g", "-n", "-I")  # sudo -u user, env -u NAME, nice -n 5, xargs -n 1, xargs -I {}
_SYSTEMD_RUN = {"-p", "--property", "-u", "--unit", "--uid", "--gid", "-E", "--setenv", "--slice", "-M"}
_SYSTEMD_RUN |= {"--machine", "-H", "--host", "--description", "--working-directory", "--nice"}
_VALUES = {  # a wrapper's options whose value is the next word
    "timeout": frozenset({*_VALUED, "-s", "-k"}),  # timeout -s KILL -k 5 30 cmd
    "stdbuf": frozenset({*_VALUED, "-i", "-o", "-e"}),  # stdbuf -o L cmd
    "ionice": frozenset({*_VALUED, "-c", "-p"}),
    "pkexec": frozenset({"--user"}),  # pkexec --user app sh
    "runuser": frozenset({*_VALUED, "-G", "--user", "--group", "--supp-group", "-s", "--shell"}),
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "xargs": frozenset({*_VALUED, "-L", "-P", "-s", "-d", "-E", "-a"}),
    "setpriv": frozenset({"--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps", "--securebits"}),
    "systemd-run": frozenset(_SYSTEMD_RUN),
    "strace": frozenset({"-e", "-o", "-p", "-s", "-u", "-E", "-a", "-P", "-I", "-b", "-O", "-S", "-X"}),
    "ltrace": frozenset({"-e", "-o", "-p", "-s", "-u", "-a", "-n"}),
    "firejail": frozenset(),  # its options are glued: --profile=x
    "unshare": frozenset({"-S", "--setuid", "-G", "--setgid", "-R", "--root", "-w", "--wd"}),
    "taskset": frozenset(),
    "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
}
# a wrapper's positional words before the command: chrt -f 10 cmd, taskset -c 0 cmd (a CPU list or
# mask), sg docker cmd (a group), flock /tmp/lock cmd
_POSITIONAL = {"chrt": 1, "taskset": 1, "sg": 1, "flock": 1}
_COMMAND_OPTIONS = frozenset({"-c", "--command"})  # su -c CMD, sg docker -c CMD, runuser -l app -c CMD
_SU_STYLE = frozenset({"su", "sg", "runuser", "script"})
_DURATION = re.compile(r"\d+(?:\.\d+)?[smhd]?")  # timeout's first argument: 30, 1.5m
_SETTING = re.compile(r"[A-Za-z_]\w*=")


def _given_command(name: str, out: list[str]) -> list[str] | None:
    """The command a su-style wrapper runs: ``su -c CMD`` and ``runuser -l app -c CMD`` run ``sh -c
    CMD``; ``su`` and ``su - root`` alone run a shell reading stdin; None when it names none (``runuser
    -u app -- sh``: an ordinary wrapper)."""
    for i, w in enumerate(out):
        flag, eq, value = w.partition("=")
        if flag in _COMMAND_OPTIONS and (eq or i + 1 < len(out)):
            return ["sh", "-c", value if eq else out[i + 1]]
    if name == "su" and not any(w in ("-s", "--shell") for w in out):
        return ["sh"]
    return None


def _short_group_value(flag: str, valued: frozenset[str]) -> bool:
    """A group of short options whose last takes the next word: ``sudo -Hu root``, ``sudo -iu root``."""
    return len(flag) > 2 and flag[1] != "-" and flag[1:].isalpha() and f"-{flag[-1]}" in valued


def unwrap(out: list[str]) -> tuple[list[str], list[str]]:
    """(the words of the command a wrapped command runs, the ``NAME=value`` settings its wrappers give
    it): ``sudo -Hu root env X=1 bash`` runs ``bash`` with ``X=1``."""
    settings: list[str] = []
    while len(out) > 1 and base(out[0]) in WRAPPERS:
        name = base(out.pop(0))
        if name in _SU_STYLE:
            given = _given_command(name, out)
            if given is not None:
                return given, settings
        valued = _VALUES.get(name, frozenset(_VALUED))
        while out and (out[0].startswith("-") or _SETTING.match(out[0])):
            flag = out.pop(0)
            if _SETTING.match(flag):
                settings.append(flag)
            elif (flag in valued or _short_group_value(flag, valued)) and out:
                out.pop(0)
        if name == "timeout" and len(out) > 1 and _DURATION.fullmatch(out[0]):
            out.pop(0)
        del out[: min(_POSITIONAL.get(name, 0), max(len(out) - 1, 0))]
    return out, settings
