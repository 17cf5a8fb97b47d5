package io.kfr.jfr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The element tree of a JFR metadata event (root → metadata → class → field/annotation, and
 * root → region) and its binary form: a string table, then each element as name index,
 * attribute (key, value) index pairs and children, all varints.
 */
final class MetadataTree {

    static final class Element {
        final String name;
        final List<String[]> attributes = new ArrayList<>();
        final List<Element> children = new ArrayList<>();

        Element(String name) {
            this.name = name;
        }

        Element attribute(String key, Object value) {
            attributes.add(new String[] {key, String.valueOf(value)});
            return this;
        }

        Element child(String childName) {
            Element e = new Element(childName);
            children.add(e);
            return e;
        }
    }

    final Element root = new Element("root");
    final Element metadata = root.child("metadata");
    final Element region = root.child("region");

    /** Writes the part after the metadata event's header fields: string table, then the tree. */
    void writeBody(JfrBuffer out) {
        Map<String, Integer> strings = new LinkedHashMap<>();
        collect(root, strings);
        out.writeVarInt(strings.size());
        for (String s : strings.keySet()) {
            out.writeString(s);
        }
        write(root, strings, out);
    }

    private static void collect(Element e, Map<String, Integer> strings) {
        intern(e.name, strings);
        for (String[] a : e.attributes) {
            intern(a[0], strings);
            intern(a[1], strings);
        }
        for (Element c : e.children) {
            collect(c, strings);
        }
    }

    private static void intern(String s, Map<String, Integer> strings) {
        strings.putIfAbsent(s, strings.size());
    }

    private static void write(Element e, Map<String, Integer> strings, JfrBuffer out) {
        out.writeVarInt(strings.get(e.name));
        out.writeVarInt(e.attributes.size());
        for (String[] a : e.attributes) {
            out.writeVarInt(strings.get(a[0]));
            out.writeVarInt(strings.get(a[1]));
        }
        out.writeVarInt(e.children.size());
        for (Element c : e.children) {
            write(c, strings, out);
        }
    }
}
