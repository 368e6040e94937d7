#!/usr/bin/perl
# diameter_probe.pl PORT IMPI IMPU: harness self-test only. A minimal Diameter peer over TCP
# to 127.0.0.1:PORT: CER/CEA, one Cx UAR (TS 29.229) for IMPI/IMPU, DPR/DPA. Prints
# "CEA <Result-Code>", "UAA <Result-Code or Experimental-Result-Code>", "DPA <Result-Code>";
# exit 0 when all three answers came, 1 otherwise. It gives the capture real Diameter traffic.
# diameter_probe.pl --malformed PORT: listen on 127.0.0.1:PORT, connect to it and send one
# CER whose Vendor-Id AVP holds 2 bytes (a malformed message for the capture check).
use strict;
use warnings;
use IO::Socket::INET;

if (@ARGV == 2 && $ARGV[0] eq '--malformed') {
    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1:$ARGV[1]", Listen => 1, ReuseAddr => 1)
        or die "listen $ARGV[1]: $!\n";
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[1]", Proto => 'tcp')
        or die "connect $ARGV[1]: $!\n";
    my $a = $l->accept or die "accept: $!\n";
    my $avps = pack('NN', 264, (0x40 << 24) | 11) . "abc\0" . pack('NN', 266, (0x40 << 24) | 10) . "ab\0\0";
    print $c pack('N', (1 << 24) | (20 + length $avps)) . pack('N', (0x80 << 24) | 257)
        . pack('NNN', 0, 1, 1) . $avps;
    my $buf;
    sysread($a, $buf, 1000);
    close $c;
    close $a;
    exit 0;
}

my ($port, $impi, $impu) = @ARGV;
die "usage: $0 PORT IMPI IMPU | --malformed PORT\n" unless $impu;
my $realm  = 'ims.mnc001.mcc001.3gppnetwork.org';
my $origin = "probe.$realm";
my $cx     = 16777216;
my $tgpp   = 10415;
my $hbh    = 0x1000;

sub avp {    # code, flags (0x40 M, 0x80 V), data[, vendor]
    my ($code, $flags, $data, $vendor) = @_;
    my $hlen = defined $vendor ? 12 : 8;
    my $h = pack('N', $code) . pack('N', ($flags << 24) | ($hlen + length $data));
    $h .= pack('N', $vendor) if defined $vendor;
    my $pad = (4 - length($data) % 4) % 4;
    return $h . $data . ("\0" x $pad);
}
sub u32 { pack('N', $_[0]) }

sub msg {    # code, flags (0x80 R, 0x40 P), app, avps
    my ($code, $flags, $app, $avps) = @_;
    $hbh++;
    return pack('N', (1 << 24) | (20 + length $avps)) . pack('N', ($flags << 24) | $code)
        . pack('NNN', $app, $hbh, $hbh) . $avps;
}

sub result {    # Result-Code, or Experimental-Result-Code inside Experimental-Result
    my ($body) = @_;
    my $off = 0;
    while ($off + 8 <= length $body) {
        my ($code, $fl) = unpack('NN', substr($body, $off, 8));
        my $len   = $fl & 0xffffff;
        my $vflag = ($fl >> 24) & 0x80;
        my $hlen  = $vflag ? 12 : 8;
        last if $len < $hlen;
        my $data = substr($body, $off + $hlen, $len - $hlen);
        return unpack('N', $data) if $code == 268 || $code == 298;
        if ($code == 297) {
            my $r = result($data);
            return $r if defined $r;
        }
        $off += $len + (4 - $len % 4) % 4;
    }
    return undef;
}

sub exchange {
    my ($s, $req) = @_;
    print $s $req or die "send: $!\n";
    my $hdr = '';
    while (length $hdr < 20) {
        my $n = sysread($s, $hdr, 20 - length $hdr, length $hdr);
        die "connection closed\n" unless $n;
    }
    my $len = unpack('N', $hdr) & 0xffffff;
    my $body = '';
    while (length $body < $len - 20) {
        my $n = sysread($s, $body, $len - 20 - length $body, length $body);
        die "connection closed\n" unless $n;
    }
    my $r = result($body);
    return defined $r ? $r : 'none';
}

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
                              Timeout => 5) or die "connect 127.0.0.1:$port: $!\n";
my $vsai = avp(260, 0x40, avp(266, 0x40, u32($tgpp)) . avp(258, 0x40, u32($cx)));
my $ids  = avp(264, 0x40, $origin) . avp(296, 0x40, $realm);

my $cer = msg(257, 0x80, 0, $ids . avp(257, 0x40, pack('n', 1) . pack('C4', 127, 0, 0, 1))
    . avp(266, 0x40, u32(0)) . avp(269, 0, 'imscore-lab-probe') . avp(265, 0x40, u32($tgpp))
    . $vsai);
print "CEA ", exchange($s, $cer), "\n";

my $uar = msg(300, 0xc0, $cx, avp(263, 0x40, "$origin;1;$$") . $vsai . avp(277, 0x40, u32(1))
    . $ids . avp(283, 0x40, $realm) . avp(1, 0x40, $impi) . avp(601, 0xc0, $impu, $tgpp)
    . avp(600, 0xc0, $realm, $tgpp));
print "UAA ", exchange($s, $uar), "\n";

print "DPA ", exchange($s, msg(282, 0x80, 0, $ids . avp(273, 0x40, u32(0)))), "\n";
close $s;
