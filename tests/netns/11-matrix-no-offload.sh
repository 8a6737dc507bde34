#!/usr/bin/env bash
# sweep: once
# The whole matrix again with foud -O: no TUN TSO/checksum offload, no UDP
# GSO or GRO, every packet whole. A smaller transfer keeps it quick.
export FOUD_TEST_OPTS=-O
export FOUD_TEST_MIB=${FOUD_TEST_MIB_NO_OFFLOAD:-16}
exec bash "$(dirname "$0")/10-matrix.sh"
