// kfr's flame graphs: each .flame element draws the merged stack tree in the JSON block its
// data-source names. Nodes are [nameIndex, kindIndex, value, [children]]; the root is at the
// top and the innermost frames below it (JVM stacks are deep: what matters most stays in view).
// Under the root come the threads, or in a grouped graph (off-CPU, wakers) first the two wait
// groups ('problem': waits that hold up work, 'idle') and then the threads. What is drawn is a
// view of that tree: merged across threads unless "split by thread" is on, and in a grouped graph
// only the problem group unless "show idle waits" is on, so the waits that matter are wide at once.
// Recording text is only ever set as textContent or an attribute value, never parsed as HTML.
(function () {
  'use strict';
  var ROW = 16;

  function formatValue(v, unit) {
    if (unit !== 'ns') {
      return v + ' samples';
    }
    if (v >= 1e9) {
      return (v / 1e9).toFixed(2) + ' s';
    }
    if (v >= 1e6) {
      return (v / 1e6).toFixed(1) + ' ms';
    }
    if (v >= 1e3) {
      return (v / 1e3).toFixed(1) + ' \u00b5s';
    }
    return v + ' ns';
  }

  function percent(part, whole) {
    return whole > 0 ? (100 * part / whole).toFixed(1) + '%' : '0%';
  }

  function toNode(a, data) {
    var n = {name: data.names[a[0]], kind: data.kinds[a[1]], value: a[2], children: []};
    var cs = a[3] || [];
    for (var i = 0; i < cs.length; i++) {
      n.children.push(toNode(cs[i], data));
    }
    return n;
  }

  function viewNode(name, kind) {
    return {name: name, kind: kind, value: 0, children: [], byKey: {}};
  }

  // adds the raw subtree into the view node's children, merging equal frames (kind and name)
  function mergeInto(parent, raw) {
    var key = raw.kind + '\u0000' + raw.name;
    var n = parent.byKey[key];
    if (!n) {
      n = viewNode(raw.name, raw.kind);
      parent.byKey[key] = n;
      parent.children.push(n);
    }
    n.value += raw.value;
    for (var i = 0; i < raw.children.length; i++) {
      mergeInto(n, raw.children[i]);
    }
  }

  // the frames under a thread level node: the thread itself when split by thread, else its children
  function addThreads(parent, threads, byThread) {
    for (var i = 0; i < threads.length; i++) {
      if (byThread) {
        mergeInto(parent, threads[i]);
      } else {
        for (var j = 0; j < threads[i].children.length; j++) {
          mergeInto(parent, threads[i].children[j]);
        }
      }
    }
  }

  function finish(n, parent, depth) {
    n.parent = parent;
    n.depth = depth;
    delete n.byKey;
    n.children.sort(function (a, b) {
      return b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    for (var i = 0; i < n.children.length; i++) {
      finish(n.children[i], n, depth + 1);
    }
  }

  // the tree drawn: raw is the data's tree; returns the view's root and the hidden (idle) value
  function buildView(raw, grouped, byThread, showIdle) {
    var root = viewNode(raw.name, raw.kind);
    var hidden = 0;
    if (!grouped) {
      addThreads(root, raw.children, byThread);
    } else {
      for (var i = 0; i < raw.children.length; i++) {
        var g = raw.children[i];
        if (g.kind === 'idle' && !showIdle) {
          hidden += g.value;
          continue;
        }
        var parent = root;
        if (showIdle) {
          parent = viewNode(g.name, g.kind);
          parent.value = g.value;
          root.children.push(parent);
        }
        addThreads(parent, g.children, byThread);
      }
    }
    for (var k = 0; k < root.children.length; k++) {
      root.value += root.children[k].value;
    }
    finish(root, null, 0);
    return {root: root, hidden: hidden};
  }

  function FlameGraph(el, data) {
    this.el = el;
    this.data = data;
    this.raw = toNode(data.tree, data);
    this.info = el.parentNode.querySelector('.info');
    this.byThread = el.parentNode.querySelector('.by-thread');
    this.showIdle = el.parentNode.querySelector('.show-idle');
    this.hiddenInfo = el.parentNode.querySelector('.hidden-info');
    this.rebuild();
    var self = this;
    [this.byThread, this.showIdle].forEach(function (box) {
      if (box) {
        box.addEventListener('change', function () {
          self.rebuild();
          self.render();
        });
      }
    });
    el.addEventListener('click', function (e) {
      var f = e.target.closest('.frame');
      if (f && f.kfrNode) {
        self.zoomTo(f.kfrNode);
      }
    });
    el.addEventListener('mouseover', function (e) {
      var f = e.target.closest('.frame');
      if (f && f.kfrNode && self.info) {
        self.info.textContent = self.describe(f.kfrNode);
      }
    });
    var reset = el.parentNode.querySelector('.reset');
    if (reset) {
      reset.addEventListener('click', function () {
        self.zoomTo(self.root);
      });
    }
  }

  FlameGraph.prototype.rebuild = function () {
    var v = buildView(this.raw, this.data.grouped, !!(this.byThread && this.byThread.checked),
      !!(this.showIdle && this.showIdle.checked));
    this.root = v.root;
    this.zoom = this.root;
    this.el.setAttribute('data-hidden', String(v.hidden));
    if (this.hiddenInfo) {
      this.hiddenInfo.textContent = v.hidden > 0 ? '(' + formatValue(v.hidden, this.data.unit) + ', '
        + percent(v.hidden, this.raw.value) + ' of all, hidden)' : '';
    }
  };

  FlameGraph.prototype.describe = function (n) {
    var text = n.name + ' \u2014 ' + formatValue(n.value, this.data.unit) + ', ' + percent(n.value, this.root.value)
      + ' of all';
    if (this.zoom !== this.root && n.depth >= this.zoom.depth) {
      text += ', ' + percent(n.value, this.zoom.value) + ' of the zoomed frame';
    }
    return text + ' (' + n.kind + ')';
  };

  FlameGraph.prototype.zoomTo = function (n) {
    this.zoom = n;
    this.render();
  };

  FlameGraph.prototype.render = function () {
    var el = this.el;
    el.textContent = '';
    if (this.root.value <= 0) {
      var empty = document.createElement('div');
      empty.className = 'flame-empty';
      empty.textContent = this.raw.value <= 0 ? 'No ' + this.data.eventType + ' events in this recording: nothing to draw.'
        : 'No wait held up work: every wait here was idle or for other threads (show idle waits to see them).';
      el.appendChild(empty);
      el.setAttribute('data-frames', '0');
      return;
    }
    var z = this.zoom;
    // children narrower than half a pixel are not drawn, and do not make the graph taller
    var minWidth = 0.5 / Math.max(el.clientWidth, 100);
    var drawn = [];
    var rows = 0;
    function subtree(n, x, w) {
      drawn.push([n, x, w, false]);
      rows = Math.max(rows, n.depth + 1);
      var cx = x;
      for (var i = 0; i < n.children.length; i++) {
        var c = n.children[i];
        var cw = w * c.value / n.value;
        if (cw >= minWidth) {
          subtree(c, cx, cw);
        }
        cx += cw;
      }
    }
    for (var a = z.parent; a; a = a.parent) {
      drawn.push([a, 0, 1, true]);
    }
    subtree(z, 0, 1);
    el.style.height = (rows * ROW) + 'px';
    var count = 0;
    for (var k = 0; k < drawn.length; k++) {
      var n = drawn[k][0];
      var d = document.createElement('div');
      d.className = 'frame k-' + n.kind + (drawn[k][3] ? ' ancestor' : '');
      d.style.left = (drawn[k][1] * 100) + '%';
      d.style.width = (drawn[k][2] * 100) + '%';
      d.style.top = (n.depth * ROW) + 'px';
      d.textContent = n.name;
      d.title = this.describe(n);
      d.setAttribute('data-name', n.name);
      d.setAttribute('data-value', String(n.value));
      d.kfrNode = n;
      el.appendChild(d);
      count++;
    }
    el.setAttribute('data-frames', String(count));
    el.setAttribute('data-zoom', z === this.root ? '' : z.name);
  };

  var graphs = document.querySelectorAll('.flame[data-source]');
  for (var i = 0; i < graphs.length; i++) {
    var source = document.getElementById(graphs[i].getAttribute('data-source'));
    new FlameGraph(graphs[i], JSON.parse(source.textContent)).render();
  }
  document.body.setAttribute('data-flamegraphs-ready', String(graphs.length));
}());
