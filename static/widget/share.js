/* chatgate chat frame: sharing the visitor's screen with the agent who
 * asked. The browser picks the screen (getDisplayMedia); the picture goes
 * to the agent's console over WebRTC, peer to peer. Only the signals (the
 * offer, the answer and ICE candidates) pass through the server, in order,
 * one request after another. */
(function () {
  "use strict";
  var chatgate = window.chatgate = window.chatgate || {};

  // o: { api(method, path, payload) -> promise, bar: element, stop: button,
  //      failed(message) }
  chatgate.screenShare = function (o) {
    var conv = null, stream = null, pc = null, peer = null, ice = {};
    var queue = Promise.resolve(), early = [];

    function newPeer() {
      var a = new Uint8Array(12);
      window.crypto.getRandomValues(a);
      return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    function path(p) { return "/conversations/" + encodeURIComponent(conv) + "/screen-share" + p; }
    // Signals leave one at a time, so the server stores them in order.
    function send(s) {
      s.peer = peer;
      queue = queue.then(function () { return o.api("POST", path("/signal"), s); })
        .catch(function () { /* the share ends by its own event */ });
    }
    function showBar(on) {
      o.bar.hidden = !on;
      document.body.classList.toggle("sharing", on);
    }

    // In the click on Yes: the browser asks which screen, window or tab.
    function start(c, answered) {
      conv = c;
      var md = navigator.mediaDevices;
      var picked = md && md.getDisplayMedia ? md.getDisplayMedia({ video: true, audio: false })
        : Promise.reject(new Error("unsupported"));
      Promise.all([picked, answered]).then(function (r) {
        stream = r[0];
        ice = { iceServers: (r[1] && r[1].iceServers) || [], iceTransportPolicy: (r[1] && r[1].iceTransportPolicy) || "all" };
        // The browser's own "Stop sharing" ends it too.
        stream.getVideoTracks().forEach(function (t) { t.addEventListener("ended", function () { stop(); }); });
        showBar(true);
        connect();
      }).catch(function () {
        picked.then(function (s) { s.getTracks().forEach(function (t) { t.stop(); }); }, function () {});
        stream = null;
        // Yes was stored but no screen was chosen: the share ends.
        answered.then(function () { stop(); o.failed(); }, function () { /* said by the frame */ });
      });
    }

    // A new connection (the first, or afresh for a console that reloaded).
    function connect() {
      if (pc) pc.close();
      peer = newPeer();
      early = [];
      var mine = pc = new RTCPeerConnection(ice);
      stream.getTracks().forEach(function (t) { mine.addTrack(t, stream); });
      mine.onicecandidate = function (ev) {
        var c = ev.candidate;
        if (c && c.candidate) send({ type: "candidate", candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
      };
      mine.createOffer()
        .then(function (d) { return mine.setLocalDescription(d); })
        .then(function () { send({ type: "offer", sdp: mine.localDescription.sdp }); })
        .catch(function () { stop(); });
    }

    function addCandidate(s) {
      pc.addIceCandidate({ candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex })
        .catch(function () { /* a candidate of no use */ });
    }

    // The agent's answer or candidate, for this connection only.
    function signal(s) {
      if (!pc || !s || s.peer !== peer) return;
      if (s.type === "answer") {
        // A second answer: the console reloaded and answered again.
        if (pc.signalingState !== "have-local-offer") { connect(); return; }
        var mine = pc;
        mine.setRemoteDescription({ type: "answer", sdp: s.sdp })
          .then(function () { early.forEach(addCandidate); early = []; })
          .catch(function () { if (mine === pc) connect(); });
      } else if (s.type === "candidate") {
        if (pc.remoteDescription) addCandidate(s); else early.push(s);
      }
    }

    function ended() {
      if (pc) pc.close();
      pc = null; peer = null;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      showBar(false);
    }

    // Stop: the server is told, and the picture stops at once.
    function stop() {
      var c = conv;
      ended();
      if (c) o.api("POST", "/conversations/" + encodeURIComponent(c) + "/screen-share/end").catch(function () {});
    }

    o.stop.addEventListener("click", stop);
    // Leaving the page stops the capture: the share ends for the agent too.
    window.addEventListener("pagehide", function () {
      if (!stream || !conv) return;
      var c = conv;
      ended();
      o.api("POST", "/conversations/" + encodeURIComponent(c) + "/screen-share/end", undefined, true).catch(function () {});
    });
    function supported() {
      return !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
    }
    return { start: start, signal: signal, ended: ended, supported: supported };
  };
})();
