// "Stations near me": ask for the location only after the tap, then let the server list the
// stations nearest first. Without JavaScript the button stays hidden and the form works.
"use strict";
(function () {
  var button = document.querySelector("[data-locate]");
  var status = document.querySelector("[data-locate-status]");
  if (!button || !status || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.asking;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var url = new URL(window.location.href);
        ["province", "ward", "q", "show"].forEach(function (name) { url.searchParams.delete(name); });
        url.searchParams.set("lat", position.coords.latitude.toFixed(5));
        url.searchParams.set("lon", position.coords.longitude.toFixed(5));
        url.hash = "results"; // straight to the list on a small screen
        window.location.assign(url.toString());
      },
      function () { status.textContent = button.dataset.denied; },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 }
    );
  });
})();
