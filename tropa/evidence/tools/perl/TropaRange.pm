# Loaded into exiftool (perl -MTropaRange exiftool ... tropa-range:item): the file named
# "tropa-range:item" is read over Tropa's loopback range server (the URL and size come in
# TROPA_RANGE_URL and TROPA_RANGE_SIZE), so exiftool seeks like on a file and reads only
# what it needs; no plaintext is ever written anywhere. Any other file name is left to
# exiftool as it is.
package TropaRange;
use strict;
use warnings;
use HTTP::Tiny;
use Image::ExifTool;

our $NAME = 'tropa-range:item';
my $url  = $ENV{TROPA_RANGE_URL}  or die "TROPA_RANGE_URL not set\n";
my $size = $ENV{TROPA_RANGE_SIZE};
die "TROPA_RANGE_SIZE not set\n" unless defined $size and $size =~ /^\d+$/;
$url =~ m{^http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+$} or die "not a loopback range URL\n";

{
    no warnings 'redefine';
    my $open   = \&Image::ExifTool::Open;
    my $exists = \&Image::ExifTool::Exists;
    *Image::ExifTool::Open = sub ($*$;$) {
        my ($self, $fh, $file, $mode) = @_;
        return $open->(@_) unless defined $file and $file eq $NAME;
        return 0 if $mode and $mode ne '<';
        tie *$fh, 'TropaRange::Handle', $url, $size;
        return 1;
    };
    *Image::ExifTool::Exists = sub ($$) {
        my ($self, $file) = @_;
        return 1 if defined $file and $file eq $NAME;
        return $exists->(@_);
    };
}

package TropaRange::Handle;
use strict;
use warnings;

my $AHEAD = 256 * 1024;   # read at least this much per request

sub TIEHANDLE {
    my ($class, $url, $size) = @_;
    my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 600, agent => 'exiftool');
    return bless { url => $url, size => $size, pos => 0, http => $http,
                   buf => '', at => 0 }, $class;
}

sub _fill {
    my ($self, $want) = @_;
    my ($pos, $size) = ($$self{pos}, $$self{size});
    return if $pos >= $size;
    my $end = $pos + ($want > $AHEAD ? $want : $AHEAD);
    $end = $size if $end > $size;
    my $answer = $$self{http}->get($$self{url},
        { headers => { Range => "bytes=$pos-" . ($end - 1) } });
    die "range read failed: $$answer{status}\n" unless $$answer{status} == 206;
    $$self{buf} = $$answer{content};
    $$self{at} = $pos;
}

sub _take {
    my ($self, $n) = @_;
    my $out = '';
    while ($n > 0 and $$self{pos} < $$self{size}) {
        my $inside = $$self{pos} - $$self{at};
        if ($inside < 0 or $inside >= length $$self{buf}) {
            $self->_fill($n);
            $inside = 0;
            last unless length $$self{buf};
        }
        my $piece = substr($$self{buf}, $inside, $n);
        $out .= $piece;
        $$self{pos} += length $piece;
        $n -= length $piece;
    }
    return $out;
}

sub READ {
    my ($self, undef, $len, $offset) = @_;
    my $data = $self->_take($len);
    $offset ||= 0;
    my $bufref = \$_[1];
    $$bufref = '' unless defined $$bufref;
    substr($$bufref, $offset) = $data;
    return length $data;
}

sub READLINE {
    my ($self) = @_;
    return undef if $$self{pos} >= $$self{size};
    my $sep = defined $/ ? $/ : undef;
    my $line = '';
    while ($$self{pos} < $$self{size}) {
        my $c = $self->_take(defined $sep && length $sep ? 4096 : $$self{size});
        if (defined $sep and length $sep) {
            my $i = index($line . $c, $sep);
            if ($i >= 0) {
                my $all = $line . $c;
                my $keep = substr($all, 0, $i + length $sep);
                $$self{pos} -= length($all) - length($keep);
                return $keep;
            }
        }
        $line .= $c;
    }
    return $line;
}

sub GETC { my ($self) = @_; my $c = $self->_take(1); return length $c ? $c : undef }

sub SEEK {
    my ($self, $offset, $whence) = @_;
    my $pos = $whence == 0 ? $offset : $whence == 1 ? $$self{pos} + $offset : $$self{size} + $offset;
    return 0 if $pos < 0;
    $$self{pos} = $pos;
    return 1;
}

sub TELL    { return $_[0]{pos} }
sub EOF     { return $_[0]{pos} >= $_[0]{size} ? 1 : 0 }
sub BINMODE { return 1 }
sub CLOSE   { return 1 }
sub FILENO  { return undef }
sub WRITE   { return 0 }
sub PRINT   { return 0 }
sub PRINTF  { return 0 }

1;
