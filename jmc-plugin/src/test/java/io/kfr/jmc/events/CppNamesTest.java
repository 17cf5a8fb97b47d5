package io.kfr.jmc.events;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libjvm symbols as kfr records them (JDK 17 and 25), and what the rules' texts and the flame graphs show. */
class CppNamesTest {
    @Test
    void nestedNamesBecomeQualified() {
        assertEquals("G1ParScanThreadState::trim_queue_to_threshold",
                CppNames.readable("_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj"));
        assertEquals("PhaseIdealLoop::build_and_optimize", CppNames.readable("_ZN14PhaseIdealLoop18build_and_optimizeEv"));
        // a const member function
        assertEquals("Symbol::as_C_string", CppNames.readable("_ZNK6Symbol11as_C_stringEv"));
        // internal linkage, not nested
        assertEquals("thread_native_entry", CppNames.readable("_ZL19thread_native_entryP6Thread"));
    }

    @Test
    void templateArgumentsAreLeftOut() {
        // HotSpot's GC closures and access barriers: enum literals, substitutions, nested arguments
        assertEquals("OopOopIterateDispatch::Table::oop_oop_iterate",
                CppNames.readable("_ZN21OopOopIterateDispatchI10BFSClosureE5Table15oop_oop_iterateI13InstanceKlass"
                        + "9narrowOopEEvPS0_P7oopDescP5Klass"));
        assertEquals("AccessInternal::RuntimeDispatch::load_at_init", CppNames.readable(
                "_ZN14AccessInternal15RuntimeDispatchILm1335366EP7oopDescLNS_11BarrierTypeE3EE12load_at_initES2_l"));
        assertEquals("std::vector::push_back", CppNames.readable("_ZNSt6vectorIiSaIiEE9push_backERKi"));
        // a function template, its return type after the arguments (JDK 25's continuations)
        assertEquals("freeze_internal", CppNames.readable(
                "_Z15freeze_internalI6ConfigIL8oop_kind0E12G1BarrierSetELb0EE13freeze_resultP10JavaThreadPl"));
    }

    @Test
    void constructorsDestructorsOperatorsAndThunks() {
        assertEquals("Thread::~Thread", CppNames.readable("_ZN6ThreadD2Ev"));
        assertEquals("JavaThread::JavaThread", CppNames.readable("_ZN10JavaThreadC1Eb"));
        assertEquals("HandleMark::operator new", CppNames.readable("_ZN10HandleMarknwEm"));
        // seen in JDK 25's C1 compiler threads: non-virtual thunk to LIRGenerator::block_do(BlockBegin*)
        assertEquals("LIRGenerator::block_do", CppNames.readable("_ZThn8_N12LIRGenerator8block_doEP10BlockBegin"));
        assertEquals("Foo::bar", CppNames.readable("_ZTv0_n24_N3Foo3barEv"), "virtual thunk");
        assertEquals("std::terminate", CppNames.readable("_ZSt9terminatev"));
    }

    @Test
    void localEntitiesAreNamedInsideTheirFunction() {
        // seen in JDK 25's C2 compiler threads: a lambda's static invoker inside Type::Initialize_shared(Compile*)
        assertEquals("Type::Initialize_shared::{lambda}::_FUN",
                CppNames.readable("_ZZN4Type17Initialize_sharedEP7CompileENUlPKvS3_E_4_FUNES3_S3_"));
        assertEquals("WB_HandshakeWalkStack::TraceSelfClosure::do_thread",
                CppNames.readable("_ZZ21WB_HandshakeWalkStackEN16TraceSelfClosure9do_threadEP6Thread"));
    }

    @Test
    void otherNamesStayAsTheyAre() {
        assertEquals("clock_gettime", CppNames.readable("clock_gettime"));
        assertEquals("[stub] StubRoutines::arrayof_jint_disjoint_arraycopy",
                CppNames.readable("[stub] StubRoutines::arrayof_jint_disjoint_arraycopy"));
        assertEquals("_Z3", CppNames.readable("_Z3"), "a truncated symbol is returned unchanged");
        assertEquals("_Z99999999999x", CppNames.readable("_Z99999999999x"), "an absurd length is returned unchanged");
        assertEquals("_ZThX_N3Foo3barEv", CppNames.readable("_ZThX_N3Foo3barEv"), "a malformed thunk unchanged");
    }

    /** Recordings are untrusted: cut, mutated or absurd symbols give some text, never an exception. */
    @Test
    void brokenSymbolsNeverThrow() {
        List<String> real = List.of("_ZZN4Type17Initialize_sharedEP7CompileENUlPKvS3_E_4_FUNES3_S3_",
                "_ZN14AccessInternal15RuntimeDispatchILm1335366EP7oopDescLNS_11BarrierTypeE3EE12load_at_initES2_l",
                "_ZThn8_N12LIRGenerator8block_doEP10BlockBegin", "_ZNSt6vectorIiSaIiEE9push_backERKi");
        java.util.Random random = new java.util.Random(42);
        String alphabet = "_ZNEILSTUKVRODCBlt0123456789abcnsv";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder(real.get(n % real.size()));
            b.setLength(2 + random.nextInt(b.length() - 1));
            for (int k = random.nextInt(4); k > 0; k--) {
                b.insert(2 + random.nextInt(b.length() - 1), alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertTrue(CppNames.readable(b.toString()) != null, b.toString());
        }
        assertEquals("_Z" + "Z".repeat(100_000), CppNames.readable("_Z" + "Z".repeat(100_000)));
    }

    /**
     * Every function symbol of the running JDK's libjvm against binutils' c++filt (argument and
     * template lists taken out of its answer): nearly all read the same, and where CppNames stops
     * early its name is the start of c++filt's, never a different name.
     */
    @Test
    void agreesWithCxxfiltOnTheJdksLibjvm() throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        List<String> symbols = run(List.of("nm", "--defined-only", libjvm.toString()), null).stream()
                .map(l -> l.split(" ")).filter(f -> f.length == 3 && "tTwW".contains(f[1]) && f[2].startsWith("_Z"))
                .map(f -> f[2]).distinct().toList();
        List<String> demangled = run(List.of("c++filt"), String.join("\n", symbols) + "\n");
        assertTrue(symbols.size() > 10_000, libjvm + " has " + symbols.size() + " C++ functions (stripped?)");
        assertEquals(symbols.size(), demangled.size());
        int same = 0;
        List<String> different = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i++) {
            String mine = CppNames.readable(symbols.get(i));
            String expected = withoutArgumentsAndTemplates(demangled.get(i));
            if (mine.equals(expected)) {
                same++;
            } else if (!mine.equals(symbols.get(i)) && !expected.startsWith(mine)) {
                different.add(symbols.get(i) + " -> " + mine + ", c++filt " + expected);
            }
        }
        double share = (double) same / symbols.size();
        System.out.printf("CppNames vs c++filt on %s: %d of %d the same (%.2f%%), %d different%n", libjvm, same,
                symbols.size(), 100 * share, different.size());
        assertTrue(different.isEmpty(), different.size() + " differ: " + different.subList(0, Math.min(10, different.size())));
        assertTrue(share > 0.99, "same: " + share);
    }

    /**
     * c++filt's "void A<int>::f<B>(int) const" as "A::f": without template arguments, parameters
     * and return type; thunks and clones as their function, lambdas as "{lambda}".
     */
    private static String withoutArgumentsAndTemplates(String d) {
        d = d.replaceFirst("^(non-)?virtual thunk to ", "").replaceAll(" \\[clone [^]]*]", "")
                .replace("(anonymous namespace)", "\u0001").replace("operator()", "operator\u0002");
        StringBuilder out = new StringBuilder();
        int angle = 0;
        int paren = 0;
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            boolean operatorChar = paren == 0 && out.toString().matches("(?s).*operator(<|-|>)?");
            if (c == '<' && !operatorChar && paren == 0) {
                angle++;
            } else if (c == '>' && angle > 0 && !operatorChar && paren == 0) {
                angle--;
            } else if (c == '(' && angle == 0) {
                paren++;
            } else if (c == ')' && paren > 0 && angle == 0) {
                paren--;
            } else if (angle == 0 && paren == 0) {
                out.append(c);
            }
        }
        String s = out.toString().replaceAll("( const| volatile| &&| &)+(?=::|$)", "")
                .replaceAll("\\{lambda#\\d+}", "{lambda}").replaceAll("\\{unnamed type#\\d+}", "{unnamed type}");
        // a return type (function templates) is the part before the last space
        s = s.replace("operator ", "operator\u0000"); // operator new, operator bool
        s = s.substring(s.lastIndexOf(' ') + 1);
        return s.replace('\u0000', ' ').replace("\u0001", "(anonymous namespace)").replace("\u0002", "()");
    }

    private static List<String> run(List<String> command, String input) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kfr-cppnames", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " did not finish");
            assertEquals(0, p.exitValue(), command + " failed");
            return Files.readAllLines(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
