#!/usr/bin/perl
# Writes a small ASN MaxMind DB for the AS tests: rows "CIDR<TAB>ASN<TAB>NAME[<TAB>CC]"
# on stdin, in MaxMind's GeoLite2-ASN record layout (autonomous_system_number,
# autonomous_system_organization) or, with --ipinfo, IPinfo Lite's (asn
# "AS15169", as_name, country_code). --v6 writes an IPv6 tree with IPv4
# aliased into it, as the published databases are. Needs MaxMind::DB::Writer
# (Debian: libmaxmind-db-writer-perl, listed in scripts/setup.sh).
#   tests/graph/make_asn_mmdb.pl [--ipinfo] [--v6] OUT.mmdb < rows
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ( $ipinfo, $v6 ) = ( 0, 0 );
while ( @ARGV && $ARGV[0] =~ /^--/ ) {
    my $o = shift;
    if    ( $o eq '--ipinfo' ) { $ipinfo = 1 }
    elsif ( $o eq '--v6' )     { $v6     = 1 }
    else                       { die "unknown option $o\n" }
}
my $out = shift or die "usage: $0 [--ipinfo] [--v6] OUT.mmdb < rows\n";

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    asn                            => 'utf8_string',
    as_name                        => 'utf8_string',
    country_code                   => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => $v6 ? 6 : 4,
    record_size           => 24,
    database_type         => $ipinfo ? 'ipinfo_lite.mmdb' : 'PathMap-Test-ASN',
    languages             => ['en'],
    description           => { en => 'pathmap test ASN database' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,    # the testbed's networks are reserved ranges
    $v6 ? ( alias_ipv6_to_ipv4 => 1 ) : (),
);
while ( my $line = <STDIN> ) {
    chomp $line;
    next if $line eq '' || $line =~ /^#/;
    my ( $net, $asn, $name, $cc ) = split /\t/, $line;
    $net = "::$net" if $v6 && $net !~ /:/;    # IPv4 in the IPv6 tree's ::/96
    $net =~ s{/(\d+)$}{'/' . ($1 + 96)}e if $v6 && $net =~ /^::\d/;
    my %rec = $ipinfo
      ? ( asn => "AS$asn", as_name => $name, ( defined $cc ? ( country_code => $cc ) : () ) )
      : ( autonomous_system_number => $asn + 0, autonomous_system_organization => $name );
    $tree->insert_network( $net, \%rec );
}
open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $out: $!\n";
