package io.kfr.it.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** kfr's report page read back: the HTML by jsoup, each flame graph's data block by Gson. */
final class ReportPage {
    final String html;
    final Document doc;

    ReportPage(Path file) throws IOException {
        this.html = Files.readString(file, StandardCharsets.UTF_8);
        this.doc = Jsoup.parse(html);
    }

    /** The merged tree behind the flame graph with this id ("offcpu", "cpu"). */
    Node graph(String id) {
        Element data = doc.getElementById(id + "-data");
        if (data == null) {
            throw new AssertionError("no data block " + id + "-data in the page");
        }
        JsonObject json = JsonParser.parseString(data.data()).getAsJsonObject();
        return Node.of(json.getAsJsonArray("tree"), json.getAsJsonArray("names"), json.getAsJsonArray("kinds"));
    }

    /** A node of a flame graph's tree. */
    record Node(String name, String kind, long value, List<Node> children) {
        static Node of(JsonArray a, JsonArray names, JsonArray kinds) {
            List<Node> children = new ArrayList<>();
            if (a.size() > 3) {
                a.get(3).getAsJsonArray().forEach(c -> children.add(of(c.getAsJsonArray(), names, kinds)));
            }
            return new Node(names.get(a.get(0).getAsInt()).getAsString(), kinds.get(a.get(1).getAsInt()).getAsString(),
                    a.get(2).getAsLong(), children);
        }

        Node child(String childName) {
            return children.stream().filter(c -> c.name.equals(childName)).findFirst()
                    .orElseThrow(() -> new AssertionError("no child '" + childName + "' under '" + name + "'; children: "
                            + children.stream().map(Node::name).toList()));
        }

        /**
         * A thread of the graph, found under the root or, in a graph grouped by kind of wait
         * (off-CPU, wakers), under each group: one node with the thread's subtrees of every group.
         */
        Node thread(String threadName) {
            List<Node> found = new ArrayList<>();
            for (Node c : children) {
                if (c.kind.equals("problem") || c.kind.equals("idle")) {
                    c.children.stream().filter(t -> t.name.equals(threadName)).forEach(found::add);
                } else if (c.name.equals(threadName)) {
                    found.add(c);
                }
            }
            if (found.isEmpty()) {
                throw new AssertionError("no thread '" + threadName + "' in the graph");
            }
            List<Node> subtrees = new ArrayList<>();
            found.forEach(t -> subtrees.addAll(t.children));
            return new Node(threadName, "thread", found.stream().mapToLong(Node::value).sum(), subtrees);
        }

        /** This node and every node under it. */
        List<Node> all() {
            List<Node> nodes = new ArrayList<>(List.of(this));
            children.forEach(c -> nodes.addAll(c.all()));
            return nodes;
        }

        /** Sum of the outermost nodes that match (a match's own descendants are not counted again). */
        long sum(Predicate<Node> match) {
            if (match.test(this)) {
                return value;
            }
            return children.stream().mapToLong(c -> c.sum(match)).sum();
        }
    }
}
