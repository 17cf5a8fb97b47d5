package io.kfr.jmc.events;

import java.util.Map;

/**
 * Readable names for C++ symbols (libjvm's functions) in the rules' texts and the report's flame
 * graphs: the nested name of an Itanium-mangled symbol
 * ({@code _ZN20G1ParScanThreadState23trim_queue_to_thresholdEj} becomes
 * {@code G1ParScanThreadState::trim_queue_to_threshold}). Template arguments and argument types
 * are left out ({@code OopOopIterateDispatch::Table::oop_oop_iterate}), constructors and
 * destructors named as in C++, and a thunk ({@code _ZThn8_N...}, which only adjusts {@code this})
 * is named as the function it leads to. Where this stops understanding a symbol it keeps the name
 * read so far; anything that is no mangled name is returned unchanged.
 */
public final class CppNames {
    /** Operator names of member functions (operator new, operator==, ...). */
    private static final Map<String, String> OPERATORS = Map.ofEntries(Map.entry("nw", " new"),
            Map.entry("na", " new[]"), Map.entry("dl", " delete"), Map.entry("da", " delete[]"), Map.entry("eq", "=="),
            Map.entry("ne", "!="), Map.entry("aS", "="), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("le", "<="),
            Map.entry("ge", ">="), Map.entry("cl", "()"), Map.entry("ix", "[]"), Map.entry("pl", "+"), Map.entry("mi", "-"),
            Map.entry("ml", "*"), Map.entry("dv", "/"), Map.entry("pL", "+="), Map.entry("mI", "-="), Map.entry("ls", "<<"),
            Map.entry("rs", ">>"), Map.entry("nt", "!"), Map.entry("co", "~"), Map.entry("pt", "->"), Map.entry("de", "*"));
    /** Longer length prefixes are no names: the symbol is not what it seems. */
    private static final int MAX_LENGTH_DIGITS = 6;

    private CppNames() {
    }

    public static String readable(String symbol) {
        if (symbol == null || !symbol.startsWith("_Z")) {
            return symbol;
        }
        int i = skipThunk(symbol, 2);
        if (i < 0) {
            return symbol;
        }
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
        if (symbol.startsWith("St", i)) {
            out.append("std");
            i += 2;
        }
        String last = null;
        while (i < symbol.length()) {
            char c = symbol.charAt(i);
            if (Character.isDigit(c)) {
                int end = skipName(symbol, i);
                if (end < 0) {
                    return symbol;
                }
                last = symbol.substring(nameStart(symbol, i), end);
                if (last.startsWith("_GLOBAL__N")) {
                    last = "(anonymous namespace)";
                }
                out.append(out.length() > 0 ? "::" : "").append(last);
                i = end;
                if (!nested) {
                    break;
                }
            } else if (c == 'I' && last != null) {
                i = skipTemplateArgs(symbol, i);
            } else if (c == 'B' && last != null && i + 1 < symbol.length() && Character.isDigit(symbol.charAt(i + 1))) {
                i = skipName(symbol, i + 1); // an ABI tag such as B5cxx11
            } else if ((c == 'C' || c == 'D') && nested && last != null && i + 1 < symbol.length()
                    && Character.isDigit(symbol.charAt(i + 1))) {
                out.append("::").append(c == 'D' ? "~" : "").append(last);
                break;
            } else if (nested && last != null && i + 1 < symbol.length() && OPERATORS.containsKey(symbol.substring(i, i + 2))) {
                out.append("::operator").append(OPERATORS.get(symbol.substring(i, i + 2)));
                break;
            } else {
                break;
            }
            if (i < 0) {
                break;
            }
        }
        return out.length() == 0 || out.toString().equals("std") ? symbol : out.toString();
    }

    /** The index after a length-prefixed name starting at i ({@code 6Thread}), or -1 if malformed. */
    private static int skipName(String s, int i) {
        int start = nameStart(s, i);
        if (start == i || start - i > MAX_LENGTH_DIGITS) {
            return -1;
        }
        int end = start + Integer.parseInt(s.substring(i, start));
        return end <= s.length() ? end : -1;
    }

    private static int nameStart(String s, int i) {
        int j = i;
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
            j++;
        }
        return j;
    }

    /**
     * The index after the template arguments {@code I...E} starting at i, or -1 where they hold
     * something this does not read (expressions, decltype): the caller keeps the name so far.
     */
    private static int skipTemplateArgs(String s, int i) {
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c)) {
                i = skipName(s, i);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            switch (c) {
                case 'I', 'N', 'J', 'F' -> { // template arguments, nested name, pack, function type
                    depth++;
                    i++;
                }
                case 'E' -> {
                    depth--;
                    i++;
                    if (depth == 0) {
                        return i;
                    }
                }
                case 'L' -> i = skipLiteral(s, i + 1);
                case 'S' -> i = skipSubstitution(s, i);
                case 'T', 'A' -> i = underscoreAfter(s, i); // template parameter T_, T0_; array A<n>_
                case 'P', 'R', 'O', 'K', 'V', 'M' -> i++; // pointer, references, qualifiers, member
                default -> {
                    if (!Character.isLowerCase(c) || c == 'u') {
                        return -1; // expressions, decltype, vendor types
                    }
                    i++; // a builtin type: i, l, m, b, v, ...
                }
            }
            if (i < 0) {
                return -1;
            }
        }
        return -1;
    }

    /** Past a literal's {@code <type><value>E} (an enum constant's type is a name: LN8LogLevel4typeE3E). */
    private static int skipLiteral(String s, int i) {
        if (i >= s.length()) {
            return -1;
        }
        char c = s.charAt(i);
        if (c == 'N') {
            i++;
            while (i >= 0 && i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == 'S')) {
                i = s.charAt(i) == 'S' ? skipSubstitution(s, i) : skipName(s, i);
            }
            i = i >= 0 && i < s.length() && s.charAt(i) == 'E' ? i + 1 : -1;
        } else if (c == 'S') {
            i = skipSubstitution(s, i);
        } else if (Character.isDigit(c)) {
            i = skipName(s, i);
        } else if (Character.isLowerCase(c)) {
            i++;
        } else {
            return -1; // an external name (L_Z...E) or an expression
        }
        if (i < 0) {
            return -1;
        }
        int end = s.indexOf('E', i);
        return end < 0 ? -1 : end + 1;
    }

    /** Past a substitution: St, Sa, ... or S_, S<seq>_. */
    private static int skipSubstitution(String s, int i) {
        return i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1)) ? i + 2 : underscoreAfter(s, i);
    }

    private static int underscoreAfter(String s, int i) {
        int end = s.indexOf('_', i);
        return end < 0 ? -1 : end + 1;
    }

    /**
     * Past a thunk's prefix: {@code Th<offset>_} (non-virtual) or {@code Tv<offset>_<offset>_}
     * (virtual); offsets may be negative ('n'). Returns i unchanged if there is none, -1 if malformed.
     */
    private static int skipThunk(String s, int i) {
        int offsets = s.startsWith("Th", i) ? 1 : s.startsWith("Tv", i) ? 2 : 0;
        if (offsets == 0) {
            return i;
        }
        i += 2;
        for (int k = 0; k < offsets; k++) {
            if (i < s.length() && s.charAt(i) == 'n') {
                i++;
            }
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == digits || i >= s.length() || s.charAt(i) != '_') {
                return -1;
            }
            i++;
        }
        return i;
    }
}
