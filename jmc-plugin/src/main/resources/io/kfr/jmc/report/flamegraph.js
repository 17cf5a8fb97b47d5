// kfr's flame graphs: each .flame element draws the merged stack tree in the JSON block its
// data-source names. Nodes are [nameIndex, kindIndex, value, [children]]; the root is at the
// top and the innermost frames below it (JVM stacks are deep: what matters most stays in view).
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

  function toNode(a, data, parent, depth) {
    var n = {name: data.names[a[0]], kind: data.kinds[a[1]], value: a[2], parent: parent, depth: depth,
      children: []};
    var cs = a[3] || [];
    for (var i = 0; i < cs.length; i++) {
      var c = toNode(cs[i], data, n, depth + 1);
      n.children.push(c);
    }
    return n;
  }

  function FlameGraph(el, data) {
    this.el = el;
    this.data = data;
    this.root = toNode(data.tree, data, null, 0);
    this.zoom = this.root;
    this.info = el.parentNode.querySelector('.info');
    var self = this;
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
      empty.textContent = 'No ' + this.data.eventType + ' events in this recording: nothing to draw.';
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
