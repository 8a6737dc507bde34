# Sourced by tests (after lib.sh): bursts of small UDP datagrams sent from
# host A while its foud is stopped (SIGSTOP), and their receiver on host B.
# Datagram i of a flow is "%06d" % i then bytes 0..255 repeated, SIZE bytes.

# poll_upto SECONDS command...: polls until the command succeeds (bounded).
poll_upto() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}

# burst_recv DST PORT COUNT SIZE: on B, until COUNT datagrams arrived, each as
# sent and in order (exit 0), or one differs or 5 s pass without one (non-zero).
# Returns once the socket listens; wait for $BURST_RECV.
burst_recv() {
	nb timeout 20 python3 -c '
import socket, sys
dst, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind((dst, port)); s.settimeout(5)
for i in range(n):
    want = (b"%06d" % i + bytes(range(256)) * 3)[:size]
    got = s.recv(65535)
    if got != want:
        sys.exit("datagram %d: got %r" % (i, got[:12]))' "$@" &
	BURST_RECV=$!
	poll_upto 5 burst_listening "$2"
}
burst_listening() { nb ss -Hlun "sport = :$1" | grep -q .; }

# burst_send PID DST COUNT "PORT:SIZE ...": from A, COUNT datagrams to each
# port, interleaved, while foud PID is stopped; resumes it.
burst_send() {
	kill -STOP "$1"
	na timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flows = [tuple(int(x) for x in f.split(":")) for f in sys.argv[3].split()]
for i in range(int(sys.argv[2])):
    for port, size in flows:
        s.sendto((b"%06d" % i + bytes(range(256)) * 3)[:size], (sys.argv[1], port))
' "$2" "$3" "$4"; local rc=$?
	kill -CONT "$1"
	return $rc
}
