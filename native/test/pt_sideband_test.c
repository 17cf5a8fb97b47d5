/*
 * The PT sideband's bounds and the timed image's answers, without a JVM: the callbacks are called
 * as JVMTI would call them (this file includes pt_sideband.c for its static functions), over real
 * memory, so that the unloads' copies are real copies. Prints "ok"/"FAIL" lines; exit 1 on a FAIL.
 * Run by PtSidebandNativeTest.
 */
#include "pt/pt_sideband.c"

#include <intel-pt.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	failures += !ok;
}

struct nth {
	size_t want, seen;
	struct kfr_pt_sb_record rec;
};

static void find_nth(const struct kfr_pt_sb_record *r, void *ctx)
{
	struct nth *n = ctx;

	if (n->seen++ == n->want)
		n->rec = *r;
}

static struct kfr_pt_sb_record nth(size_t i)
{
	struct nth n = {i, 0, {0}};

	kfr_pt_sideband_each(find_nth, &n);
	return n.rec;
}

#define CODE_SIZE 256
#define LOADS (KFR_PT_SB_MAX_RECORDS + 4464)

static void bounds(void)
{
	uint8_t *heap = malloc((size_t)LOADS * CODE_SIZE);
	uint64_t s[KFR_PT_SB_STATS];
	char line[160];

	for (size_t i = 0; i < (size_t)LOADS * CODE_SIZE; i++)
		heap[i] = (uint8_t)(i * 7 + (i >> 8));
	running = 1;
	for (int i = 0; i < LOADS; i++)
		on_load(NULL, (jmethodID)(uintptr_t)(i + 1), CODE_SIZE, heap + (size_t)i * CODE_SIZE, 0, NULL, NULL);
	kfr_pt_sideband_stats(s);
	snprintf(line, sizeof(line), "%d loads: %lu kept, %lu dropped (oldest first)", LOADS,
		 (unsigned long)s[KFR_PT_SB_KEPT], (unsigned long)s[KFR_PT_SB_DROPPED]);
	check(s[KFR_PT_SB_RECORDS] == LOADS && s[KFR_PT_SB_KEPT] == KFR_PT_SB_MAX_RECORDS &&
	      s[KFR_PT_SB_DROPPED] == LOADS - KFR_PT_SB_MAX_RECORDS, line);
	struct kfr_pt_sb_record oldest = nth(0);

	check(oldest.kind == KFR_PT_SB_LOAD && oldest.method == LOADS - KFR_PT_SB_MAX_RECORDS + 1,
	      "the oldest kept is the first not dropped");
	check(live_count == LOADS, "every load's size is kept for its unload, dropped from the ring or not");

	/* unload every other one first (holes in the live map's probe runs), then the rest */
	int copied = 0, sizes_ok = 1, bytes_ok = 1;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = pass; i < LOADS; i += 2) {
			uint8_t *at = heap + (size_t)i * CODE_SIZE;

			on_unload(NULL, (jmethodID)(uintptr_t)(i + 1), at);
			struct kfr_pt_sb_record r = nth(ring_count - 1);

			sizes_ok &= r.kind == KFR_PT_SB_UNLOAD && r.size == CODE_SIZE && r.load_tsc != 0;
			if (r.bytes) {
				copied++;
				bytes_ok &= memcmp(r.bytes, at, CODE_SIZE) == 0;
			}
		}
	}
	kfr_pt_sideband_stats(s);
	check(sizes_ok, "each unload has its load's size and time, found in the live map");
	check(live_count == 0, "the live map is empty once all are unloaded");
	check(bytes_ok, "each copy is the code's bytes at the unload");
	/* the held copies are freed as their records are dropped, so the budget is spent again */
	snprintf(line, sizeof(line), "%d unloads: %d copied (%lu bytes), %lu without bytes; %lu bytes held (budget %llu)",
		 LOADS, copied, (unsigned long)s[KFR_PT_SB_UNLOAD_BYTES], (unsigned long)s[KFR_PT_SB_OVER_BUDGET],
		 (unsigned long)unload_bytes_held, (unsigned long long)KFR_PT_SB_UNLOAD_BUDGET);
	check(s[KFR_PT_SB_UNLOAD_BYTES] == (uint64_t)copied * CODE_SIZE &&
	      s[KFR_PT_SB_OVER_BUDGET] == (uint64_t)(LOADS - copied) && copied < LOADS &&
	      unload_bytes_held <= KFR_PT_SB_UNLOAD_BUDGET && unload_bytes_held >= KFR_PT_SB_UNLOAD_BUDGET - CODE_SIZE,
	      line);
	on_unload(NULL, NULL, heap); /* twice: the load is gone */
	check(nth(ring_count - 1).size == 0 && nth(ring_count - 1).bytes == NULL, "an unload of unknown code: no size, no copy");

	char name[200];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	on_dynamic(NULL, name, heap, 64);
	struct kfr_pt_sb_record d = nth(ring_count - 1);

	check(d.kind == KFR_PT_SB_DYNAMIC && d.name && strlen(d.name) == KFR_PT_SB_NAME_MAX - 1, "a long stub name is cut");
	kfr_pt_sideband_stop();
	kfr_pt_sideband_stats(s);
	check(ring_count == 0 && live_count == 0 && unload_bytes_held == 0 && s[KFR_PT_SB_KEPT] == 0, "stop frees everything");
	on_load(NULL, NULL, 64, heap, 0, NULL, NULL);
	check(ring_count == 0, "a callback after the stop records nothing");
	free(heap);
}

static uint64_t fake_tsc;

static int fake_time(void *ctx, uint64_t *tsc)
{
	(void)ctx;
	*tsc = fake_tsc;
	return fake_tsc ? 0 : -1;
}

static enum kfr_pt_timed_answer at(struct kfr_pt_image *img, uint64_t ip, uint64_t tsc, const uint8_t **b)
{
	uint64_t avail;

	fake_tsc = tsc;
	return kfr_pt_timed_lookup(img, ip, b, &avail);
}

static void timed(void)
{
	struct kfr_pt_image *img = kfr_pt_image_new();
	uint8_t v1[64], v2[32];
	const uint8_t *b;

	memset(v1, 1, sizeof(v1));
	memset(v2, 2, sizeof(v2));
	img->trace_time = fake_time;
	/* 0x1000: v1 from 100 to 200 (unloaded), v2 from 300 to 400 (recompiled there, unloaded), a
	 * load at 500 (live: the snapshot's copy); 0x2000: a stub generated at 150 */
	kfr_pt_image_add_version(img, 0x1000, v1, sizeof(v1), 100, 200);
	kfr_pt_image_add_change(img, 0x1000, sizeof(v1), 200);
	kfr_pt_image_add_version(img, 0x1000, v2, sizeof(v2), 300, 400);
	kfr_pt_image_add_change(img, 0x1000, sizeof(v2), 400);
	kfr_pt_image_add_change(img, 0x1000, 48, 500);
	kfr_pt_image_add_change(img, 0x2000, 16, 150);
	check(at(img, 0x1010, 150, &b) == KFR_PT_TIMED_COPY && b[0] == 1, "in v1's time: v1");
	check(at(img, 0x1010, 350, &b) == KFR_PT_TIMED_COPY && b[0] == 2, "in v2's time: v2");
	check(at(img, 0x1030, 350, &b) == KFR_PT_TIMED_NONE,
	      "past v2's end in its time: nothing there changed since (v1 was freed at 200): the copy");
	check(at(img, 0x1030, 150, &b) == KFR_PT_TIMED_COPY && b[0] == 1, "there in v1's time: v1");
	check(at(img, 0x1010, 250, &b) == KFR_PT_TIMED_CHANGED, "between the two: changed");
	check(at(img, 0x1010, 50, &b) == KFR_PT_TIMED_CHANGED, "before both: changed");
	check(at(img, 0x1010, 600, &b) == KFR_PT_TIMED_NONE, "after the last load: the snapshot's copy");
	check(at(img, 0x103f, 600, &b) == KFR_PT_TIMED_NONE, "v1's last byte after the last change there (400): the copy");
	check(at(img, 0x2008, 100, &b) == KFR_PT_TIMED_CHANGED && at(img, 0x2008, 150, &b) == KFR_PT_TIMED_NONE,
	      "a stub: changed before its generation, the copy from then on");
	check(at(img, 0x3000, 1, &b) == KFR_PT_TIMED_NONE && at(img, 0x0fff, 1, &b) == KFR_PT_TIMED_NONE,
	      "no record there: the copy");
	check(at(img, 0x1010, 0, &b) == KFR_PT_TIMED_UNTIMED && b && b[0] == 2, "no time: the newest version, as a fallback");
	kfr_pt_image_free(img);
}

int main(void)
{
	bounds();
	timed();
	printf("%s\n", failures ? "PT SIDEBAND TEST FAILED" : "pt sideband test passed");
	return failures ? 1 : 0;
}
