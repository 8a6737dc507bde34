# foud — userspace foo-over-UDP tunnels. GNU make.
#   make            build foud, fouctl, libfou.a
#   make check      install test packages, build, run every test layer
#   make check-arch the daemon's call structure and function lengths (tests/tools/)
#   make demo       two namespaces joined by foud tunnels
#   make fuzz / make soak / make bench
#   make check SANITIZE=1   the same, built with ASan and UBSan (in build-san/)
#   make install PREFIX=/usr/local DESTDIR=
#   make deb        Debian packages foud, libfou0, libfou-dev in build-deb/

VERSION := 0.1.0
SOVER   := 0
PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wno-missing-field-initializers
D_DIRS  := $(sort $(dir $(wildcard daemon/*/*.c)))
CPPFLAGS += -Iinclude -Icommon $(patsubst %/,-I%,$(D_DIRS)) -D_GNU_SOURCE
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS)

B       ?= build
ifeq ($(SANITIZE),1)
B       := build-san
CC      := clang
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(wildcard lib/*.c)
COM_SRC := $(wildcard common/*.c)
D_SRC   := $(wildcard daemon/*/*.c)
C_SRC   := $(wildcard cli/*.c)
UT_SRC  := $(wildcard tests/unit/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB_PIC := $(LIB_SRC:%.c=$(B)/pic/%.o)
COM_OBJ := $(COM_SRC:%.c=$(B)/%.o)
D_OBJ   := $(D_SRC:%.c=$(B)/%.o)
C_OBJ   := $(C_SRC:%.c=$(B)/%.o)
UT_BIN  := $(UT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/foud $(B)/fouctl $(B)/libfou.a $(B)/libfou.so $(B)/libtou.so $(B)/tou-run

# Transports over UDP: the preloaded opt-in and its wrapper (never sanitized: it
# is loaded into other programs).
$(B)/libtou.so: tou/libtou.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -g -fPIC -shared -Wl,-z,relro,-z,now -o $@ $< -ldl

$(B)/tou-run: tou/tou-run
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

# The kernel data path: compiled for BPF and embedded in foud (daemon/bpf/bpf_obj.c).
BPF_CC     ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Ibpf -Iinclude -I/usr/include/$(shell $(BPF_CC) -print-multiarch)
$(B)/bpf/foud.bpf.o: bpf/foud.bpf.c bpf/foud_l2.bpf.h bpf/foud_bpf.h include/fou/wire.h
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
$(B)/daemon/bpf/bpf_obj.o: $(B)/bpf/foud.bpf.o
$(B)/daemon/bpf/bpf_obj.o: CPPFLAGS += -DFOUD_BPF_OBJ='"$(B)/bpf/foud.bpf.o"'

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libfou.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# The shared libfou: the same sources, compiled position-independent apart.
$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(B)/libfou.so.$(VERSION): $(LIB_PIC)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libfou.so.$(SOVER) -o $@ $^ -lcrypto

$(B)/libfou.so: $(B)/libfou.so.$(VERSION)
	ln -sf libfou.so.$(VERSION) $(B)/libfou.so.$(SOVER)
	ln -sf libfou.so.$(SOVER) $@

# The default -c file of foud (FOUD_CONFIG overrides it at run time).
$(B)/daemon/control/main.o: CPPFLAGS += -DFOUD_CONF_DEFAULT='"$(SYSCONFDIR)/foud/foud.conf"'

$(B)/libcommon.a: $(COM_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/foud: $(D_OBJ) $(B)/libcommon.a $(B)/libfou.a
	$(CC) $(LDFLAGS) -o $@ $^ -lbpf -lsystemd -ljansson -lmicrohttpd -lcurl -lssl -lcrypto

# fouctl -V says the version; -br reads foud's JSON with jansson.
$(B)/cli/opts.o: CPPFLAGS += -DFOUD_VERSION='"$(VERSION)"'
$(B)/fouctl: $(C_OBJ) $(B)/libcommon.a $(B)/libfou.a
	$(CC) $(LDFLAGS) -o $@ $^ -ljansson -lcrypto

$(B)/tests/%: tests/unit/%.c $(B)/libcommon.a $(B)/libfou.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) -lcmocka -lcrypto

# An LD_PRELOAD shim with which the namespace tests make UDP offloads fail.
$(B)/tests/refuse.so: tests/netns/shim/refuse.c
	@mkdir -p $(dir $@)
	cc -std=gnu11 $(WARN) -O2 -fPIC -shared -o $@ $<

# The BPF programs' tests run the embedded object: link it, and libbpf.
$(B)/tests/test_bpf: $(B)/daemon/bpf/bpf_obj.o
$(B)/tests/test_bpf: LDFLAGS += -lbpf

# The verifier check of the interop layer (tests/interop/05-bpf-verify.sh):
# static, for a kernel peer's initramfs; the object as foud embeds and opens it.
# (The sanitizers' runtimes do not link statically: SANITIZE=1 builds it dynamic.)
BPFV_STATIC := $(if $(filter 1,$(SANITIZE)),,-static)
$(B)/tests/bpf-verify: tests/tools/bpf-verify.c $(B)/daemon/bpf/bpf_obj.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(BPFV_STATIC) -o $@ $^ $(LDFLAGS) -l:libbpf.a -l:libelf.a -l:libz.a

# fouctl's options and output filters (cli/, before the libraries they use), and jansson for -br.
$(B)/tests/test_fouctl: tests/unit/test_fouctl.c $(B)/cli/opts.o $(B)/cli/brief.o $(B)/libcommon.a $(B)/libfou.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Icli -Itests/unit $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) -ljansson -lcmocka

# The show writer's tests link it, its buffer and jansson.
$(B)/tests/test_print: $(B)/daemon/core/print.o $(B)/daemon/core/out.o
# (common/buf.c after out.o, as test_fleet_value's)
$(B)/tests/test_print: LDFLAGS += $(B)/libcommon.a -ljansson

# What fleet nodes publish: the parser, and jansson.
$(B)/tests/test_fleet_value: $(B)/daemon/fleet/fleet_value.o
# (the libraries again: the object comes after them on the line)
$(B)/tests/test_fleet_value: LDFLAGS += $(B)/libcommon.a $(B)/libfou.a -ljansson

# The growable buffer's failed realloc, injected.
$(B)/tests/test_buf: LDFLAGS += -Wl,--wrap=realloc

unit: $(UT_BIN) $(B)/tests/refuse.so $(B)/tests/bpf-verify

deps:
	bash scripts/install-deps.sh

check: deps
	$(MAKE) all unit
	B=$(B) bash tests/run.sh

check-unit: all unit
	B=$(B) bash tests/run.sh arch unit

# The call structure of lib/ common/ daemon/ cli/ and function lengths (tests/tools/callgraph.py, fnlen.py).
check-arch:
	bash tests/run.sh arch

check-netns: all $(B)/tests/refuse.so
	B=$(B) bash tests/run.sh netns

check-interop: all
	B=$(B) bash tests/run.sh interop

# Fuzzers (clang libFuzzer), bounded: FUZZ_SECONDS per target (default 60).
fuzz: deps
	bash fuzz/run.sh

# A few minutes of load, churn and garbage; memory, descriptors and counters must balance.
soak: deps
	$(MAKE) all
	B=$(B) bash tests/soak/run.sh

# Throughput, latency and packet rate beside the kernel's VXLAN, in one run.
bench: deps
	$(MAKE) all
	B=$(B) bash bench/run.sh

# Instructions per MB of the userspace data path (callgrind; load does not change them).
instr: deps
	$(MAKE) all
	B=$(B) bash bench/instr.sh

demo: deps
	$(MAKE) all
	B=$(B) bash scripts/demo.sh

# An edited configuration is never overwritten.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/foud $(B)/fouctl $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/foud.8 man/fouctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/tou-run.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/foud
	install -m 0755 $(B)/tou-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(B)/libtou.so $(DESTDIR)$(PREFIX)/lib/foud/
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/fou
	install -m 0644 $(B)/libfou.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libfou.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libfou.so.$(SOVER)
	ln -sf libfou.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libfou.so
	install -m 0644 include/fou/*.h $(DESTDIR)$(INCDIR)/fou/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|' \
		lib/libfou.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/libfou.pc
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/foud
	sed -e 's|/usr/sbin/foud|$(SBINDIR)/foud|' systemd/foud.service >$(DESTDIR)$(UNITDIR)/foud.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/foud/foud.conf ] || \
		install -m 0644 etc/foud.conf $(DESTDIR)$(SYSCONFDIR)/foud/foud.conf
	install -d $(DESTDIR)$(PREFIX)/share/foud/wireshark
	install -m 0644 share/wireshark/gue.lua $(DESTDIR)$(PREFIX)/share/foud/wireshark/

# A Debian package from a staged install (dpkg-deb, no debhelper): built
# afresh with the flags of dpkg-buildflags (all hardening), stripped, the
# library in its multiarch directory, the unit where Debian 12 keeps them.
DEB_B    := build-deb
DEB_ARCH  = $(shell dpkg-architecture -qDEB_HOST_ARCH)
DEB_MA    = $(shell dpkg-architecture -qDEB_HOST_MULTIARCH)
DEB_MAKE  = $(MAKE) SANITIZE= B=$(DEB_B) PREFIX=/usr LIBDIR=/usr/lib/$(DEB_MA) UNITDIR=/lib/systemd/system
# The flags go by the environment: on the command line they would replace
# the Makefile's own CPPFLAGS.
deb: export DEB_BUILD_MAINT_OPTIONS = hardening=+all
deb:
	rm -rf $(DEB_B)
	+CFLAGS="$$(dpkg-buildflags --get CFLAGS)" LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
		CPPFLAGS="$$(dpkg-buildflags --get CPPFLAGS)" $(DEB_MAKE) all
	+$(DEB_MAKE) DESTDIR=$(CURDIR)/$(DEB_B)/root install
	VERSION=$(VERSION) ARCH=$(DEB_ARCH) bash scripts/mkdeb.sh $(DEB_B)/root $(DEB_B)

clean:
	rm -rf $(B)

.PHONY: all unit deps check check-arch check-unit check-netns check-interop fuzz soak bench instr demo install deb clean
-include $(shell find $(B) -name '*.d' 2>/dev/null)
