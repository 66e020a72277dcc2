#!/bin/bash
# Runs inside the QEMU guest as /vtl/run.sh (see run-guest.ts): discovers the changer and drives, runs the checks of
# the phase named in /vtl/env, one `VTLCHECK ok|fail|skip <name> <detail>` line per check on ttyS1.
# Phases: main (everything, ending with persist-write), persist-write / persist-read (the boots around a vtl
# restart; persist-read also exports the cartridge staged to tgt), stage-read (the staged cartridge read from tgt,
# then recalled), inquiry (the inquiry and binding checks only), probe (device discovery only).
set -u
set -a
. /vtl/env
set +a
. /vtl/lib.sh
# devtmpfs has no /dev/fd; bash process substitution needs it.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for f in /vtl/checks-*.sh; do . "$f"; done

discover || exit 0
inquiry_checks() {
  local sg lun tool
  check lsscsi-types check_lsscsi_types
  for sg in $CHANGER_SG $TAPE_SGS; do
    lun=$(lun_of_sg "$sg")
    for tool in sg_inq sg_vpd sg_logs sg_modes sg_opcodes mtx_info; do check "$tool-lun$lun" "check_$tool" "$sg"; done
  done
  check st-binds check_st_binds
  check ch-binds check_ch_binds
}

case "${PHASE:-main}" in
  main)
    inquiry_checks
    check personality check_personality
    check mtx-status check_mtx_status
    check mtx-load-unload check_mtx_load_unload
    check mtx-load-into-full-drive-refused check_mtx_load_full_drive
    check mtx-transfer check_mtx_transfer
    check mtx-first-next check_mtx_first_next
    check mtx-export-import check_mtx_export_import
    check mtx-inventory check_mtx_inventory
    check ch-ioctls-agree check_ch_ioctls
    check tape-load check_tape_load
    check mt-status-rewind check_mt_status_rewind
    check tar-filemarks-sequential check_tar_sequential
    check mt-fsf-tar check_fsf_tar
    check mt-eod-file-number check_eod
    check append-at-eod check_append_at_eod
    check mt-bsf-bsfm check_bsf_bsfm
    check mt-tell-seek check_tell_seek
    check mt-weof check_weof
    check dd-variable-records check_dd_variable
    check dd-short-read-fails check_dd_short_read
    check sg-raw-16-byte check_sg_raw_16
    check fixed-block-512 check_fixed_block 512
    check fixed-block-65536 check_fixed_block 65536
    check compression-on-off check_compression
    check defcompression check_defcompression
    check mt-erase check_erase
    check mt-offline check_offline
    check end-of-medium check_end_of_medium
    check write-protected check_write_protected
    check worm check_worm
    check retention-lock check_retention_lock
    check stenc-encryption check_stenc_encryption
    check partitions check_partitions
    check two-drives-streaming check_two_drives
    check persistent-reservations check_persistent_reservations 4
    check read-only-initiator check_read_only_initiator 4
    check retention-expiry check_retention_expiry
    check dedup-write check_dedup_write
    check persist-write check_persist_write
    ;;
  persist-write)
    check persist-write check_persist_write
    ;;
  inquiry)
    inquiry_checks
    ;;
  probe)
    report ok probe "devices: $CHANGER_SG $TAPE_SGS"
    ;;
  persist-read)
    check persist-read check_persist_read
    check dedup-read check_dedup_read
    check vault-hidden check_vault_hidden
    check personality check_personality
    check stage-write check_stage_write
    ;;
  stage-read)
    check tgt-read check_tgt_read
    check recall check_recall
    ;;
  *)
    report fail phase "unknown phase ${PHASE}"
    ;;
esac
