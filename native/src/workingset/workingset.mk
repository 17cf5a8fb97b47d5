# Working-set collector: BPF program, loader, prefetch JNI (included by ../../Makefile).
WS_DIR   := src/workingset
WS_HDRS  := $(wildcard $(WS_DIR)/*.h)
WS_CORE  := $(OUT)/workingset_loader.o
WS_JNI   := $(OUT)/prefetch_jni.o $(OUT)/workingset_jni.o
WS_SMOKE := $(OUT)/workingset_smoke

$(OUT)/workingset.bpf.o: $(WS_DIR)/workingset.bpf.c $(WS_HDRS) $(OUT)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -I$(WS_DIR) -c $< -o $@
	$(STRIP) -g $@

$(WS_CORE): $(OUT)/%.o: $(WS_DIR)/%.c $(WS_HDRS) $(wildcard src/*.h) $(OUT)/workingset.skel.h | $(OUT)
	$(CC) $(CFLAGS) -Isrc -I$(WS_DIR) -c $< -o $@

$(WS_JNI): $(OUT)/%.o: $(WS_DIR)/%.c $(WS_HDRS) $(wildcard src/*.h) $(OUT)/workingset.skel.h | $(OUT)
	$(CC) $(CFLAGS) $(JNI_CFLAGS) -Isrc -I$(WS_DIR) -c $< -o $@

# Loads the program on this process, reads an evicted file, checks what it saw (root).
$(WS_SMOKE): test/workingset_smoke.c $(CORE_OBJS) $(WS_CORE) $(OUT)/libbpf_pic.a
	$(CC) -O2 -g -Wall -Wextra -std=gnu11 -Iinclude -Isrc -I$(WS_DIR) -o $@ $< $(CORE_OBJS) $(WS_CORE) $(STATIC_LIBS) -lpthread

.PHONY: workingset-test
workingset-test: $(WS_SMOKE)
	$(WS_SMOKE)
