. "$(dirname "$0")/lib.sh"
CTX=0x1234567890
setup_hosts
start_foud a
start_foud b
fa link add name st0 type stt key $CTX remote $B4 local $A4
fb link add name st0 type stt key $CTX remote $A4 local $B4 maxaddress 32
dev_up a st0 10.9.0.1/24; dev_up b st0 10.9.0.2/24
na ping -c 2 -i 0.2 10.9.0.2 >/dev/null
for i in 1 2 3; do tcp_transfer a 10.9.0.2 1 && echo XFER OK || echo XFER FAIL; done
grep DBG $TMP/foud-b.log | cut -c1-30 | sort | uniq -c | sort -rn | head
