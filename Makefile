# foud — userspace foo-over-UDP tunnels. GNU make.
#   make            build foud, fouctl, libfou.a
#   make check      install test packages, build, run every test layer
#   make demo       two namespaces joined by foud tunnels
#   make fuzz / make soak / make bench
#   make check SANITIZE=1   the same, built with ASan and UBSan (in build-san/)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -Icommon -D_GNU_SOURCE
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
D_SRC   := $(wildcard daemon/*.c)
C_SRC   := $(wildcard cli/*.c)
UT_SRC  := $(wildcard tests/unit/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
COM_OBJ := $(COM_SRC:%.c=$(B)/%.o)
D_OBJ   := $(D_SRC:%.c=$(B)/%.o)
C_OBJ   := $(C_SRC:%.c=$(B)/%.o)
UT_BIN  := $(UT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/foud $(B)/fouctl $(B)/libfou.a $(B)/libtou.so $(B)/tou-run

# Transports over UDP: the preloaded opt-in and its wrapper (never sanitized: it
# is loaded into other programs).
$(B)/libtou.so: tou/libtou.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

$(B)/tou-run: tou/tou-run
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

# The kernel data path: compiled for BPF and embedded in foud (daemon/bpf_obj.c).
BPF_CC     ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Ibpf -Iinclude -I/usr/include/$(shell $(BPF_CC) -print-multiarch)
$(B)/bpf/foud.bpf.o: bpf/foud.bpf.c bpf/foud_bpf.h include/fou/wire.h
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
$(B)/daemon/bpf_obj.o: $(B)/bpf/foud.bpf.o
$(B)/daemon/bpf_obj.o: CPPFLAGS += -DFOUD_BPF_OBJ='"$(B)/bpf/foud.bpf.o"'

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libfou.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/libcommon.a: $(COM_OBJ)
	$(AR) rcs $@ $^

$(B)/foud: $(D_OBJ) $(B)/libcommon.a $(B)/libfou.a
	$(CC) $(LDFLAGS) -o $@ $^ -lbpf

$(B)/fouctl: $(C_OBJ) $(B)/libcommon.a $(B)/libfou.a
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libcommon.a $(B)/libfou.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) -lcmocka

# An LD_PRELOAD shim with which the namespace tests make UDP offloads fail.
$(B)/tests/refuse.so: tests/netns/shim/refuse.c
	@mkdir -p $(dir $@)
	cc -std=gnu11 $(WARN) -O2 -fPIC -shared -o $@ $<

# The BPF programs' tests run the embedded object: link it, and libbpf.
$(B)/tests/test_bpf: $(B)/daemon/bpf_obj.o
$(B)/tests/test_bpf: LDFLAGS += -lbpf

unit: $(UT_BIN) $(B)/tests/refuse.so

deps:
	bash scripts/install-deps.sh

check: deps
	$(MAKE) all unit
	B=$(B) bash tests/run.sh

check-unit: all unit
	B=$(B) bash tests/run.sh unit

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

demo: deps
	$(MAKE) all
	B=$(B) bash scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(B)/foud $(B)/fouctl $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 man/foud.8 man/fouctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/foud
	install -m 0755 $(B)/tou-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(B)/libtou.so $(DESTDIR)$(PREFIX)/lib/foud/
	install -d $(DESTDIR)$(PREFIX)/share/foud/wireshark
	install -m 0644 share/wireshark/gue.lua $(DESTDIR)$(PREFIX)/share/foud/wireshark/

clean:
	rm -rf $(B)

.PHONY: all unit deps check check-unit check-netns check-interop fuzz soak bench demo install clean
-include $(shell find $(B) -name '*.d' 2>/dev/null)
