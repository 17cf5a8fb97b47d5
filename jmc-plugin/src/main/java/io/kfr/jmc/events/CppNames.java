package io.kfr.jmc.events;

import java.util.Map;

/**
 * Readable names for C++ symbols (libjvm's functions) in the rules' texts and the report's flame
 * graphs: the nested name of an Itanium-mangled symbol
 * ({@code _ZN20G1ParScanThreadState23trim_queue_to_thresholdEj} becomes
 * {@code G1ParScanThreadState::trim_queue_to_threshold}). Template arguments and argument types
 * are left out ({@code OopOopIterateDispatch::Table::oop_oop_iterate}), constructors and
 * destructors named as in C++, a thunk ({@code _ZThn8_N...}, which only adjusts {@code this}) as
 * the function it leads to, and a lambda or local class inside its function
 * ({@code Type::Initialize_shared::{lambda}::_FUN}). Where this stops understanding a symbol it
 * keeps the name read so far; anything that is no mangled name is returned unchanged. Symbols come
 * from recordings (untrusted): nothing here throws or recurses without bound.
 */
public final class CppNames {
    /** Operator names of member functions (operator new, operator==, ...). */
    private static final Map<String, String> OPERATORS = Map.ofEntries(Map.entry("nw", " new"),
            Map.entry("na", " new[]"), Map.entry("dl", " delete"), Map.entry("da", " delete[]"), Map.entry("eq", "=="),
            Map.entry("ne", "!="), Map.entry("aS", "="), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("le", "<="),
            Map.entry("ge", ">="), Map.entry("cl", "()"), Map.entry("ix", "[]"), Map.entry("pl", "+"), Map.entry("mi", "-"),
            Map.entry("ml", "*"), Map.entry("dv", "/"), Map.entry("pL", "+="), Map.entry("mI", "-="), Map.entry("ls", "<<"),
            Map.entry("rs", ">>"), Map.entry("nt", "!"), Map.entry("co", "~"), Map.entry("pt", "->"), Map.entry("de", "*"));
    /** Local entities nest (a lambda in a lambda) a few levels at most. */
    private static final int MAX_LOCAL_DEPTH = 8;
    /** Longer length prefixes are no names: the symbol is not what it seems. */
    private static final int MAX_LENGTH_DIGITS = 6;

    private CppNames() {
    }

    public static String readable(String symbol) {
        if (symbol == null || !symbol.startsWith("_Z")) {
            return symbol;
        }
        StringBuilder out = new StringBuilder();
        encodingName(symbol, 2, out, 0);
        String name = out.toString();
        return name.isEmpty() || name.equals("std") ? symbol : name;
    }

    /**
     * Appends the name of the function (or thunk, or local entity) encoded at i. Returns the index
     * after the name, or -1 where it stopped understanding (what was appended so far stays).
     */
    private static int encodingName(String s, int i, StringBuilder out, int depth) {
        i = skipThunk(s, i);
        if (i < 0 || depth > MAX_LOCAL_DEPTH) {
            return -1;
        }
        if (!s.startsWith("Z", i)) {
            return name(s, i, out);
        }
        // a local entity (a lambda, a local class's method): Z <function> E <entity>
        int end = encodingName(s, i + 1, out, depth + 1);
        end = end < 0 ? -1 : skipTypes(s, end, 1); // the function's parameter types, to the E that closes it
        if (end < 0 || end >= s.length() || s.charAt(end) == 's' || s.charAt(end) == 'd') {
            return -1; // string literals and default arguments are named by their function
        }
        StringBuilder entity = new StringBuilder();
        end = name(s, end, entity);
        if (entity.length() > 0) {
            out.append("::").append(entity);
        }
        return end;
    }

    /** Appends a name: nested ({@code N...E}), with internal linkage ({@code L}), or plain. */
    private static int name(String s, int i, StringBuilder out) {
        boolean nested = i < s.length() && s.charAt(i) == 'N';
        if (nested) {
            i++;
            while (i < s.length() && "KVRO".indexOf(s.charAt(i)) >= 0) {
                i++; // const, volatile, ref-qualified member function
            }
        } else if (i < s.length() && s.charAt(i) == 'L') {
            i++;
        }
        if (s.startsWith("St", i)) {
            out.append("std");
            i += 2;
        }
        String last = null;
        while (i >= 0 && i < s.length()) {
            char c = s.charAt(i);
            boolean digitNext = i + 1 < s.length() && Character.isDigit(s.charAt(i + 1));
            String part = null;
            if (Character.isDigit(c)) {
                int end = skipName(s, i);
                if (end < 0) {
                    return -1;
                }
                part = s.substring(nameStart(s, i), end);
                part = part.startsWith("_GLOBAL__N") ? "(anonymous namespace)" : part;
                last = part;
                i = end;
            } else if (s.startsWith("Ul", i)) { // a lambda: Ul <parameter types> E [n] _
                i = skipDiscriminator(s, skipTypes(s, i + 2, 1));
                part = "{lambda}";
            } else if (s.startsWith("Ut", i)) {
                i = skipDiscriminator(s, i + 2);
                part = "{unnamed type}";
            } else if (c == 'I' && last != null) {
                i = skipTypes(s, i + 1, 1); // template arguments
                if (!nested) {
                    return i; // what follows is a function template's return type
                }
            } else if (c == 'B' && last != null && digitNext) {
                i = skipName(s, i + 1); // an ABI tag such as B5cxx11
            } else if ((c == 'C' || c == 'D') && nested && last != null && digitNext) {
                part = (c == 'D' ? "~" : "") + last;
                i += 2;
            } else if (nested && last != null && i + 1 < s.length() && OPERATORS.containsKey(s.substring(i, i + 2))) {
                part = "operator" + OPERATORS.get(s.substring(i, i + 2));
                i += 2;
            } else if (nested && c == 'E') {
                return i + 1;
            } else {
                return nested ? -1 : i;
            }
            if (part != null) {
                out.append(out.length() > 0 ? "::" : "").append(part);
            }
            if (!nested && part != null && !(i >= 0 && i < s.length() && s.charAt(i) == 'I')) {
                return i;
            }
        }
        return nested ? -1 : i;
    }

    /** Past a discriminator's {@code [n]_} (which lambda of several); -1 if malformed. */
    private static int skipDiscriminator(String s, int i) {
        if (i < 0) {
            return -1;
        }
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        return i < s.length() && s.charAt(i) == '_' ? i + 1 : -1;
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
     * The index after the types (template arguments, parameters) up to the E that closes the
     * {@code depth} lists already open at i, or -1 where they hold something this does not read
     * (expressions, decltype, vendor types): the caller keeps the name so far.
     */
    private static int skipTypes(String s, int i, int depth) {
        while (i >= 0 && i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c)) {
                i = skipName(s, i);
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
