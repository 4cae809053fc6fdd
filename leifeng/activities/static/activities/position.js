// The phone's position, asked only when the person presses "near me" or checks in where the
// organiser requires it. It goes into the form and is not stored by the site.
(function () {
  "use strict";
  function locate(done, failed) {
    if (!navigator.geolocation) { failed(); return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { done(pos.coords.latitude.toFixed(6), pos.coords.longitude.toFixed(6)); },
      failed,
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 }
    );
  }
  document.querySelectorAll("[data-near-me]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = button.form;
      locate(function (lat, lng) {
        form.elements.lat.value = lat;
        form.elements.lng.value = lng;
        form.submit();
      }, function () {
        var note = document.querySelector("[data-near-error]");
        if (note) { note.hidden = false; }
      });
    });
  });
  document.querySelectorAll("form[data-position=required]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.elements.latitude.value) { return; }
      event.preventDefault();
      var action = event.submitter ? event.submitter.value : "in";
      function send() {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "action"; hidden.value = action;
        form.appendChild(hidden);
        form.submit();
      }
      locate(function (lat, lng) {
        form.elements.latitude.value = lat;
        form.elements.longitude.value = lng;
        send();
      }, send);
    });
  });
})();
