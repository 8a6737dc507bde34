#!/usr/bin/env bash
# 40-options.sh again on foud's userspace data path (foud -D userspace); 40-options.sh
# itself runs under the default, where BPF carries what it can.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "$0")/40-options.sh"
