#!/usr/bin/perl
# The Linux ch driver's ioctls (linux/chio.h), for comparing its view of the changer with mtx's (which uses SG_IO).
#   ch-ioctl.pl DEV params                      -> "pickers slots portals drives"
#   ch-ioctl.pl DEV elem TYPE UNIT              -> "full=0|1 voltag=XXX"
#   ch-ioctl.pl DEV move TYPE UNIT TYPE UNIT
# TYPE: picker, slot, portal, drive (CHET_MT, CHET_ST, CHET_IE, CHET_DT).
use strict;
use warnings;
use Fcntl;
my %type = (picker => 0, slot => 1, portal => 2, drive => 3);
my $CHIOMOVE = 0x40146301;     # _IOW('c', 1, struct changer_move), 5 ints
my $CHIOGPARAMS = 0x80146306;  # _IOR('c', 6, struct changer_params), 5 ints
my $CHIOGELEM = 0x406c6310;    # _IOW('c', 16, struct changer_get_element), 108 bytes
my $CGE_PVOLTAG = 0x10;
my $CESTATUS_FULL = 0x01;
my ($dev, $op, @args) = @ARGV;
sysopen(my $fh, $dev, O_RDWR) or die "open $dev: $!\n";
if ($op eq 'params') {
  my $buf = "\0" x 20;
  ioctl($fh, $CHIOGPARAMS, $buf) or die "CHIOGPARAMS: $!\n";
  my ($cur, $pickers, $slots, $portals, $drives) = unpack('i5', $buf);
  print "$pickers $slots $portals $drives\n";
} elsif ($op eq 'elem') {
  my $buf = pack('i8 a36 a36 i', $type{$args[0]}, $args[1], 0, 0, 0, 0, 0, 0, '', '', $CGE_PVOLTAG);
  ioctl($fh, $CHIOGELEM, $buf) or die "CHIOGELEM: $!\n";
  my ($t, $u, $status, $err, $st, $su, $id, $lun, $pvol, $avol, $flags) = unpack('i8 a36 a36 i', $buf);
  my $tag = substr($pvol, 0, 32);
  $tag =~ s/[\0 ]+$//;
  printf "full=%d voltag=%s status=0x%02x flags=0x%02x\n", ($status & $CESTATUS_FULL) ? 1 : 0, $tag, $status, $flags;
} elsif ($op eq 'move') {
  my $buf = pack('i5', $type{$args[0]}, $args[1], $type{$args[2]}, $args[3], 0);
  ioctl($fh, $CHIOMOVE, $buf) or die "CHIOMOVE: $!\n";
} else {
  die "usage: $0 DEV params | elem TYPE UNIT | move TYPE UNIT TYPE UNIT\n";
}
