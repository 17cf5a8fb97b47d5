#!/usr/bin/env bash
# Installs the extra JDKs the end-to-end tests run on, from Debian's own archives, without touching
# the machine's apt sources or dpkg database (root; idempotent: returns at once when installed).
#   JDK 11: openjdk-11 from Debian 11 (bullseye); its binaries run on Debian 12 as they are.
#   JDK 21: openjdk-21 from Debian 13 (trixie); it needs glibc 2.38, so trixie's libc6, libstdc++6,
#           libgcc-s1 and zlib1g are unpacked next to it and `java` is started through that glibc's
#           ld.so (--library-path). A wrapper home (bin/ of scripts, the rest linked) lets tests use it
#           like any JDK home.
# Result: $KFR_JDKS/jdk11 and $KFR_JDKS/jdk21, each a JDK home (bin/java, bin/jcmd, bin/jfr, ...).
# Usage: dev/install-jdks.sh [11] [21]   (both when none is named); prints each home.
set -euo pipefail

KFR_JDKS=${KFR_JDKS:-/opt/kfr-jdks}
MIRROR=${KFR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ARCH=amd64
TRIPLET=x86_64-linux-gnu

# A private apt configuration per suite: its own sources file and lists, the system's keyrings.
apt_suite() { # suite, then apt-get arguments
    local suite=$1; shift
    local dir=$KFR_JDKS/.apt/$suite
    mkdir -p "$dir/lists/partial"
    if [ ! -f "$dir/sources.list" ]; then
        echo "deb [arch=$ARCH] $MIRROR $suite main" >"$dir/sources.list"
    fi
    # -o APT::Sandbox::User=root: the private directories are root's (no warning per download)
    apt-get -q -o APT::Sandbox::User=root -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$dir/lists" -o APT::Architecture=$ARCH "$@"
}

# Downloads the named packages of a suite and unpacks them into root (dpkg -x: no scripts, no db).
unpack() { # suite, root, packages...
    local suite=$1 root=$2; shift 2
    local debs=$KFR_JDKS/.debs/$suite
    mkdir -p "$debs" "$root"
    apt_suite "$suite" update >/dev/null
    (cd "$debs" && apt_suite "$suite" download "$@" >/dev/null)
    for p in "$@"; do
        dpkg -x "$(ls -t "$debs/${p}"_*.deb | head -1)" "$root"
    done
}

# The JDK's conf/ and lib/ links point into /etc/java-N-openjdk (Debian's layout): copy it there.
install_etc() { # root, feature
    local root=$1 n=$2
    if [ ! -e "/etc/java-$n-openjdk" ]; then
        cp -a "$root/etc/java-$n-openjdk" /etc/
    fi
}

install_11() {
    local home=$KFR_JDKS/jdk11
    [ -x "$home/bin/java" ] && "$home/bin/java" -version >/dev/null 2>&1 && return 0
    local root=$KFR_JDKS/root11
    rm -rf "$root" "$home"
    unpack bullseye "$root" openjdk-11-jre-headless openjdk-11-jdk-headless
    install_etc "$root" 11
    ln -sfn "$root/usr/lib/jvm/java-11-openjdk-$ARCH" "$home"
    "$home/bin/java" -version >/dev/null 2>&1 || { echo "install-jdks: JDK 11 at $home does not start" >&2; return 1; }
}

install_21() {
    local home=$KFR_JDKS/jdk21
    [ -x "$home/bin/java" ] && "$home/bin/java" -version >/dev/null 2>&1 && return 0
    local root=$KFR_JDKS/root21
    rm -rf "$root" "$home"
    # libc6 brings ld.so; libstdc++6/libgcc-s1 for libjvm; zlib1g for libzip (ldd of libjvm/libjava)
    unpack trixie "$root" openjdk-21-jre-headless openjdk-21-jdk-headless libc6 libstdc++6 libgcc-s1 zlib1g
    install_etc "$root" 21
    local real=$root/usr/lib/jvm/java-21-openjdk-$ARCH
    mkdir -p "$home/bin"
    for f in "$real"/*; do
        [ "$(basename "$f")" = bin ] || ln -s "$f" "$home/$(basename "$f")"
    done
    # Each tool through trixie's ld.so (trixie is merged-/usr: libc6 ships it in usr/lib/<triplet>). The launcher finds its JDK from its own path (dladdr),
    # not /proc/self/exe, so the real home is used; libjvm and every library the JVM dlopens later
    # (kfr's too) resolve against trixie's glibc first.
    for tool in "$real"/bin/*; do
        cat >"$home/bin/$(basename "$tool")" <<EOF
#!/bin/sh
exec "$root/usr/lib/$TRIPLET/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/$TRIPLET" "$tool" "\$@"
EOF
        chmod 755 "$home/bin/$(basename "$tool")"
    done
    "$home/bin/java" -version >/dev/null 2>&1 || { echo "install-jdks: JDK 21 at $home does not start" >&2; return 1; }
}

if [ "$(id -u)" -ne 0 ]; then
    echo "install-jdks: run as root (writes $KFR_JDKS and /etc/java-N-openjdk)" >&2
    exit 1
fi
features=("$@")
[ ${#features[@]} -gt 0 ] || features=(11 21)
for n in "${features[@]}"; do
    case $n in
        11) install_11 ;;
        21) install_21 ;;
        *) echo "install-jdks: no JDK $n (11, 21)" >&2; exit 2 ;;
    esac
    echo "$KFR_JDKS/jdk$n"
done
