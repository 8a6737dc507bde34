#!/usr/bin/env bash
# The control socket's own safety: foud -S never removes what is not a
# stale socket, and never takes a live foud's socket.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a

# A regular file at the socket's path: kept, and foud refuses to start.
echo "precious" >"$TMP/file"
na timeout 10 "$FOUD" -f -S "$TMP/file" 2>"$TMP/err"; rc=$?
check "foud -S FILE exits non-zero (rc $rc)" test $rc -ne 0 -a $rc -ne 124
check "... naming the path: $(cat "$TMP/err")" grep -qF "$TMP/file exists and is not a socket" "$TMP/err"
check "... and the file keeps its content" test "$(cat "$TMP/file")" = precious
echo "precious" >"$TMP/env-file"
FOUD_SOCKET=$TMP/env-file na timeout 10 "$FOUD" -f 2>"$TMP/err"; rc=$?
check "FOUD_SOCKET=FILE: the same (rc $rc, $(cat "$TMP/err"))" \
	test $rc -ne 0 -a $rc -ne 124 -a "$(cat "$TMP/env-file")" = precious

# A live foud's socket: the second foud refuses, the first keeps answering.
na timeout 10 "$FOUD" -f -S "$TMP/a.sock" 2>"$TMP/err"; rc=$?
check "a second foud on a live socket exits non-zero (rc $rc)" test $rc -ne 0 -a $rc -ne 124
check "... saying so: $(cat "$TMP/err")" grep -qF "another foud is running on $TMP/a.sock" "$TMP/err"
check "the first foud still answers on its socket" fa link show
finish
