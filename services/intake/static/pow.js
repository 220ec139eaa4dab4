// The report form's proof of work (ALTCHA v1, SHA-256), solved here, in the browser: find the
// number n with sha256(salt + n) == challenge. Nothing is fetched from anywhere.
(function () {
  "use strict";
  var field = document.getElementById("altcha");
  if (!field || !window.crypto || !crypto.subtle || !window.TextEncoder) return;
  var c = JSON.parse(field.getAttribute("data-challenge"));
  var encoder = new TextEncoder();
  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }
  async function solve() {
    for (var n = 0; n <= c.maxNumber; n++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(c.salt + n));
      if (hex(digest) === c.challenge) return n;
    }
    return null;
  }
  solve().then(function (n) {
    if (n === null) return;
    var payload = { algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature };
    field.value = btoa(JSON.stringify(payload));
    field.setAttribute("data-solved", "1");
  });
})();
