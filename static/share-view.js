/* chatgate agent console: the visitor's shared screen. The console of the
 * agent the visitor said yes to answers the visitor's WebRTC offer and
 * shows the picture in a resizable panel with Full screen and End. Media
 * flows between the two browsers; only the signals pass through the
 * server, one request after another so they are stored in order. */
(function () {
  "use strict";
  var chatgate = window.chatgate = window.chatgate || {};

  // o: { panel, video, status, full, end: elements; me: user id;
  //      api(method, path, payload) -> promise; error(message) }
  chatgate.shareView = function (o) {
    var conv = null, pc = null, peer = null, early = [], answered = {};
    var queue = Promise.resolve();

    function base() { return "/agent/api/conversations/" + conv + "/screen-share"; }
    function send(s) {
      var c = conv;
      s.peer = peer;
      queue = queue.then(function () { return o.api("POST", "/agent/api/conversations/" + c + "/screen-share/signal", s); })
        .catch(function () { /* the share ends by its own event */ });
    }
    function show(status) {
      o.panel.hidden = false;
      o.status.textContent = status;
      o.status.hidden = !status;
    }
    function close() {
      if (pc) pc.close();
      pc = null; peer = null; early = [];
      o.video.srcObject = null;
    }

    // The share started for this agent: the panel opens and waits.
    function started(c, agent) {
      if (String(agent) !== String(o.me)) return;
      conv = c;
      show("Connecting to the visitor's screen…");
    }

    // An offer for this agent: a new connection (one per offer).
    function offer(c, s) {
      if (answered[s.peer]) return;
      answered[s.peer] = true;
      close();
      conv = c; peer = s.peer;
      show("Connecting to the visitor's screen…");
      var mine;
      o.api("GET", base() + "/ice").then(function (d) {
        if (peer !== s.peer) return;
        mine = pc = new RTCPeerConnection({ iceServers: d.iceServers || [], iceTransportPolicy: d.iceTransportPolicy || "all" });
        mine.onicecandidate = function (ev) {
          var x = ev.candidate;
          if (x && x.candidate && mine === pc) send({ type: "candidate", candidate: x.candidate, sdpMid: x.sdpMid, sdpMLineIndex: x.sdpMLineIndex });
        };
        mine.ontrack = function (ev) {
          o.video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
          show("");
        };
        mine.onconnectionstatechange = function () {
          if (mine === pc && mine.connectionState === "failed") show("The connection to the visitor's screen was lost.");
        };
        return mine.setRemoteDescription({ type: "offer", sdp: s.sdp })
          .then(function () { early.forEach(add); early = []; return mine.createAnswer(); })
          .then(function (a) { return mine.setLocalDescription(a); })
          .then(function () { if (mine === pc) send({ type: "answer", sdp: mine.localDescription.sdp }); });
      }).catch(function (e) { if (!mine || mine === pc) o.error(e.message); });
    }

    function add(s) {
      pc.addIceCandidate({ candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex })
        .catch(function () { /* a candidate of no use */ });
    }

    // A signal event: the visitor's offers and candidates for this agent.
    function signal(c, d, b) {
      var s = b.signal;
      if (d.author !== "visitor" || !s || String(b.agent) !== String(o.me)) return;
      if (s.type === "offer") offer(c, s);
      else if (s.type === "candidate" && s.peer === peer) {
        if (pc && pc.remoteDescription) add(s); else early.push(s);
      }
    }

    // The share ended (either side, a block, the conversation's end), or
    // the agent left the conversation.
    function ended() {
      close();
      conv = null;
      o.panel.hidden = true;
      if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
    }

    o.end.addEventListener("click", function () {
      if (!conv) return;
      o.api("POST", base() + "/end").catch(function (e) { o.error(e.message); });
      ended();
    });
    o.full.addEventListener("click", function () {
      var v = o.video;
      if (v.requestFullscreen) v.requestFullscreen().catch(function (e) { o.error(e.message); });
    });

    return { started: started, signal: signal, ended: ended };
  };
})();
