// Draws every chart of the page: each <canvas data-chart="ID"> reads its Chart.js
// configuration from the JSON in <script id="ID-config">, built by the server.
document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
  const config = JSON.parse(document.getElementById(`${canvas.dataset.chart}-config`).textContent);
  new Chart(canvas, config);
});
