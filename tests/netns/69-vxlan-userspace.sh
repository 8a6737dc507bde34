#!/usr/bin/env bash
# foud's VXLAN against the kernel's (60) and under hostile input (61) again,
# on foud's userspace data path (foud -D userspace), where those scripts run
# it on BPF.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
d=$(dirname "$0")
bash "$d/60-vxlan-kernel.sh"; a=$?
bash "$d/61-vxlan-hostile.sh"; b=$?
[ $a -eq 0 ] && [ $b -eq 0 ]
