/* Kaskad: the hub directory's map. The list below it is the page; this only adds a map of the same
   hubs (the GeoJSON of the list's filter) when JavaScript runs. Everything it shows comes from data-*
   attributes of #hub-map, so the page keeps its Content-Security-Policy (no inline script). */
(function () {
  "use strict";
  var area = document.getElementById("hub-map-area");
  var box = document.getElementById("hub-map");
  if (!area || !box || !window.L || !window.L.markerClusterGroup) {
    return;
  }
  var data = box.dataset;
  var lang = document.documentElement.lang;
  area.hidden = false;
  var map = L.map(box, { zoomControl: false, scrollWheelZoom: false }).setView([48.6, 31.2], 5);
  L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
  var attribution = document.createElement("a");
  attribution.href = data.attributionUrl;
  attribution.textContent = data.attribution;
  var tiles = L.tileLayer(data.tiles, { maxZoom: 18, attribution: attribution.outerHTML });
  var failed = 0;
  tiles.on("tileerror", function () {
    failed += 1;
    if (failed === 4) {
      var note = document.getElementById("hub-map-note");
      if (note) {
        note.hidden = false;
      }
    }
  });
  tiles.addTo(map);

  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var count = cluster.getChildCount();
      var html = document.createElement("span");
      var number = document.createElement("span");
      number.textContent = count.toLocaleString(lang);
      var words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = data.hubs + " ";
      html.appendChild(words);
      html.appendChild(number);
      var size = count < 10 ? 34 : count < 100 ? 40 : 48;
      return L.divIcon({ html: html.outerHTML, className: "hub-cluster", iconSize: [size, size] });
    }
  });

  function nameOf(properties) {
    return (lang !== "uk" && properties.name_en) || properties.name;
  }

  function popup(properties) {
    var content = document.createElement("div");
    var link = document.createElement("a");
    link.href = data.hubPage.replace("CODE", encodeURIComponent(properties.code));
    link.textContent = nameOf(properties);
    var title = document.createElement("p");
    title.appendChild(link);
    var place = document.createElement("p");
    place.textContent = [properties.address, properties.settlement].filter(Boolean).join(", ");
    content.appendChild(title);
    content.appendChild(place);
    return content;
  }

  fetch(data.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      var markers = [];
      collection.features.forEach(function (feature) {
        if (!feature.geometry) {
          return; // listed, not mapped
        }
        var position = feature.geometry.coordinates; // longitude, latitude (RFC 7946)
        var name = nameOf(feature.properties);
        var marker = L.marker([position[1], position[0]], { title: name, alt: name });
        marker.bindPopup(popup(feature.properties));
        markers.push(marker);
      });
      clusters.addLayers(markers);
      map.addLayer(clusters);
      if (markers.length) {
        map.fitBounds(clusters.getBounds(), { maxZoom: 14, padding: [20, 20] });
      }
    })
    .catch(function () {
      area.hidden = true; // the list is there all the same
    });

  map.on("popupopen", function (event) {
    var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) {
      close.setAttribute("aria-label", data.close);
      close.title = data.close;
    }
  });
})();
