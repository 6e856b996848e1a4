"""Nothing leaves the machine, proven with strace: every model loaded and used for over a minute
(a video through MediaPipe with the form scorer, the planner network, speech synthesis, the
desktop app offscreen), and not one connection or send to anything but loopback or a local Unix
socket, nor any name look-up. Also: nothing written outside FitCoach's own folders.

ONNX Runtime 1.32.0 fails this test (measured: DNS queries for its telemetry collector from
about 20 s into the process, plus a device id under ~/.cache/Microsoft/); see pyproject.toml and
fitcoach/io/privacy.py for the pin that passes it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SECONDS = 65.0

# One traced syscall: `PID name(fd, {sa_family=AF_X, ...}, ...) = result`
_CALL = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(connect|sendto|sendmsg|sendmmsg|bind)\((.*)$")
_ADDR_IN = re.compile(r'sin_port=htons\((\d+)\), sin_addr=inet_addr\("([\d.]+)"\)')
_ADDR_IN6 = re.compile(r'sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([0-9a-fA-F:.]+)"')
_NAME_SERVICE_SOCKETS = ("nscd", "resolve", "systemd-resolved")  # asking a local daemon to resolve a name


def network_violations(trace: str) -> list[str]:
    """The traced calls that reach outside the machine or try to resolve a host name.

    Allowed: AF_UNIX sockets (X11, D-Bus, PulseAudio) except name-service daemons, AF_NETLINK
    (the kernel's interface list), calls with no address on an already connected local socket,
    and IPv4/IPv6 loopback on any port but 53. Everything else is a violation: any AF_INET/
    AF_INET6 address off loopback, any DNS port, any other family (AF_PACKET ...)."""
    bad = []
    for line in trace.splitlines():
        m = _CALL.match(line.strip())
        if not m:
            continue
        args = m.group(3)
        if "sa_family=" not in args:
            continue  # send on a socket whose peer was checked when it connected
        fam = re.search(r"sa_family=(AF_\w+)", args).group(1)
        if fam == "AF_UNIX":
            if any(s in args for s in _NAME_SERVICE_SOCKETS):
                bad.append(line.strip())
            continue
        if fam == "AF_NETLINK" or fam == "AF_UNSPEC":
            continue
        if fam == "AF_INET":
            a = _ADDR_IN.search(args)
            if a and a.group(2).startswith("127.") and a.group(1) != "53":
                continue
            if a and m.group(2) == "bind" and a.group(2) in ("127.0.0.1", "0.0.0.0") and a.group(1) == "0":
                continue
        elif fam == "AF_INET6":
            a = _ADDR_IN6.search(args)
            if a and a.group(2) == "::1" and a.group(1) != "53":
                continue
        bad.append(line.strip())
    return bad


def test_the_checker_catches_what_onnxruntime_1_32_did():
    # Lines as strace printed them for onnxruntime 1.32.0 (its telemetry's DNS look-ups).
    trace = "\n".join([
        '3015  connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
        '3015  connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>',
        '3016  sendmmsg(8, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[...]}}], 2, MSG_NOSIGNAL) = 2',
        '3017  sendto(5, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 1',
        '3018  connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
    ])
    bad = network_violations(trace)
    assert len(bad) == 4 and all("3016" not in b for b in bad)
    ok = "\n".join([
        '12  connect(3, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X0"}, 20) = 0',
        '12  sendto(3, {{len=20, type=RTM_GETADDR, flags=NLM_F_REQUEST}}, 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20',
        '12  connect(7, {sa_family=AF_INET, sin_port=htons(6000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '12  socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 5',
    ])
    assert network_violations(ok) == []


def _strace() -> str | None:
    exe = shutil.which("strace")
    if exe is None and os.environ.get("CI"):
        pytest.fail("strace is not installed: CI must install it (.ci/run does)")
    return exe


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.gui
def test_no_network_from_any_model_for_a_minute(tmp_path):
    strace = _strace()
    if strace is None:
        pytest.skip("strace not installed (apt-get install strace)")
    home, out = tmp_path / "home", tmp_path / "out"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FITCOACH_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the app must switch it off itself, not the test
    log = tmp_path / "strace.txt"
    r = subprocess.run([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=network", "-o", str(log),
                        sys.executable, str(HERE / "net_workload.py"), str(out), "--seconds", str(SECONDS)],
                       env=env, capture_output=True, text=True, timeout=SECONDS + 240)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "done" in r.stdout, r.stdout
    trace = log.read_text(errors="replace")
    assert "connect(" in trace or "socket(" in trace, "strace recorded no network call at all: is it tracing?"
    bad = network_violations(trace)
    assert not bad, f"{len(bad)} network call(s) off the machine, first: " + "\n".join(bad[:5])
    # Nothing outside FitCoach's own data, cache and config folders (and the outputs asked for).
    own = [home / ".local" / "share" / "fitcoach", home / ".cache" / "fitcoach", home / ".config" / "fitcoach"]
    stray = [p for p in home.rglob("*") if p.is_file() and not any(p.is_relative_to(o) for o in own)]
    assert not stray, f"files written outside FitCoach's folders: {stray[:10]}"
