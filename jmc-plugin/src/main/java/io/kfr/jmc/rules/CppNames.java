package io.kfr.jmc.rules;

/**
 * Readable names for libjvm's C++ symbols in texts: the nested name of an Itanium-mangled symbol
 * ({@code _ZN20G1ParScanThreadState23trim_queue_to_thresholdEj} becomes
 * {@code G1ParScanThreadState::trim_queue_to_threshold}); anything else is returned unchanged.
 */
final class CppNames {
    private CppNames() {
    }

    static String readable(String symbol) {
        if (symbol == null || !symbol.startsWith("_Z")) {
            return symbol;
        }
        int i = 2;
        boolean nested = i < symbol.length() && symbol.charAt(i) == 'N';
        if (nested) {
            i++;
            while (i < symbol.length() && (symbol.charAt(i) == 'K' || symbol.charAt(i) == 'V')) {
                i++; // const / volatile member function
            }
        } else if (i < symbol.length() && symbol.charAt(i) == 'L') {
            i++; // internal linkage
        }
        StringBuilder out = new StringBuilder();
        while (i < symbol.length() && Character.isDigit(symbol.charAt(i))) {
            int start = i;
            while (i < symbol.length() && Character.isDigit(symbol.charAt(i))) {
                i++;
            }
            int len = Integer.parseInt(symbol.substring(start, i));
            if (i + len > symbol.length()) {
                return symbol;
            }
            if (out.length() > 0) {
                out.append("::");
            }
            out.append(symbol, i, i + len);
            i += len;
            if (!nested) {
                break;
            }
        }
        return out.length() == 0 ? symbol : out.toString();
    }
}
