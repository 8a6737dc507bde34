#!/usr/bin/env bash
# foud's VXLAN against the kernel's (60), under hostile input (61), and the
# other L2 kinds' hostile input (63) again on foud's userspace data path
# (foud -D userspace), where those scripts run VXLAN and Geneve on BPF.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
d=$(dirname "$0")
rc=0
for t in 60-vxlan-kernel.sh 61-vxlan-hostile.sh 63-l2-hostile.sh; do
	bash "$d/$t" || rc=1
done
exit $rc
