/* A chat frame the server refused: nothing shows, and the page embedding
 * the widget removes the frame, as it does when an open chat goes quiet. */
window.parent.postMessage({ type: "chatgate:remove" }, "*");
