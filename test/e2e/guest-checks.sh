#!/bin/bash
. /vtl/env
check() { echo "VTLCHECK $1 $2 ${3:-}" | tee /dev/ttyS1; }
sleep 2
lsscsi -g
ls -l /dev/nst* /dev/sch* /dev/sg*
check ok boot "phase=$PHASE"
