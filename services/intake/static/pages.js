// Enhancements only: every page works without this script.
(function () {
  "use strict";
  var county = document.getElementById("county");
  var township = document.getElementById("township");
  function onlyCounty() {
    if (!county || !township) return;
    var groups = township.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var mine = groups[i].getAttribute("data-county") === county.value;
      groups[i].hidden = !mine;
      groups[i].disabled = !mine;
      if (!mine && township.selectedOptions[0] && township.selectedOptions[0].parentNode === groups[i]) township.value = "";
    }
  }
  if (county) { county.addEventListener("change", onlyCounty); onlyCounty(); }

  var contact = document.getElementById("contact");
  function showContact() {
    var named = document.getElementById("named");
    if (contact && named) contact.hidden = !named.checked;
  }
  var radios = document.querySelectorAll("input[name=identity]");
  for (var r = 0; r < radios.length; r++) radios[r].addEventListener("change", showContact);
  showContact();

  var files = document.getElementById("files");
  var check = document.getElementById("files-check");
  if (files && check) files.addEventListener("change", function () {
    var most = +files.getAttribute("data-max-bytes"), count = +files.getAttribute("data-max-count");
    var types = files.getAttribute("accept").split(","), problems = [];
    if (files.files.length > count) problems.push(files.getAttribute("data-too-many"));
    for (var i = 0; i < files.files.length; i++) {
      var f = files.files[i], mb = Math.round(most / 1e6);
      if (f.size > most) problems.push(files.getAttribute("data-too-big").replace("{name}", f.name).replace("{mb}", mb));
      else if (types.indexOf(f.type) < 0) problems.push(files.getAttribute("data-bad-type").replace("{name}", f.name));
    }
    check.textContent = problems.join("；");
    check.hidden = problems.length === 0;
    files.setAttribute("aria-invalid", problems.length ? "true" : "false");
  });

  var copy = document.getElementById("copy");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        document.getElementById("copy-status").textContent = copy.getAttribute("data-done");
      });
    });
  }
  var print = document.getElementById("print");
  if (print) { print.hidden = false; print.addEventListener("click", function () { window.print(); }); }
})();
