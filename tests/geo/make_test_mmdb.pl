#!/usr/bin/perl
# Writes a small City-style MaxMind DB (the GeoIP2-City record layout:
# city.names.en, country.iso_code, location.latitude/longitude) for the
# geolocation tests, with testbed addresses only (198.18.0.0/15,
# 100.64.0.0/10, 10.0.0.0/8). Needs MaxMind::DB::Writer
# (Debian: libmaxmind-db-writer-perl, listed in scripts/setup.sh).
#   tests/geo/make_test_mmdb.pl OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUT.mmdb\n";

my %types = (
    city      => 'map',
    country   => 'map',
    location  => 'map',
    names     => 'map',
    en        => 'utf8_string',
    iso_code  => 'utf8_string',
    latitude  => 'double',
    longitude => 'double',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 4,
    record_size           => 24,
    database_type         => 'PathMap-Test-City',
    languages             => ['en'],
    description           => { en => 'pathmap test city database (testbed addresses only)' },
    map_key_type_callback => sub { $types{ $_[0] } },
    # Our test networks are reserved ranges; keep them.
    remove_reserved_networks => 0,
);

# network, city, country, latitude, longitude (the geo testbed's cities)
my @rows = (
    [ '198.18.1.0/24',  'Singapore',         'SG', 1.2897,  103.8501 ],
    [ '198.18.2.0/24',  'Mumbai',            'IN', 19.0728, 72.8826 ],
    [ '198.18.3.0/24',  'Dubai',             'AE', 25.0772, 55.3093 ],
    [ '100.64.4.0/24',  'Istanbul',          'TR', 41.0138, 28.9497 ],
    [ '100.64.5.0/24',  'Vienna',            'AT', 48.2085, 16.3721 ],
    [ '10.6.0.0/16',    'Frankfurt am Main', 'DE', 50.1155, 8.6842 ],
    [ '10.7.0.0/16',    'London',            'GB', 51.5085, -0.1257 ],
);
for my $r (@rows) {
    my ( $net, $city, $cc, $lat, $lon ) = @$r;
    $tree->insert_network(
        $net,
        {
            city     => { names => { en => $city } },
            country  => { iso_code => $cc },
            location => { latitude => $lat, longitude => $lon },
        }
    );
}
# A country-level answer (no city), as public databases give for many
# prefixes: pathmap must not turn it into a city.
$tree->insert_network( '198.19.0.0/16', { country => { iso_code => 'NL' } } );

open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $out: $!\n";
