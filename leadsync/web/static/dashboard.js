// Draws every chart of the page: each <canvas data-chart="ID"> reads its Chart.js
// configuration from the JSON in <script id="ID-config">, built by the server, and its box
// takes the height in data-height-px (set here: the Content-Security-Policy forbids style="").
document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
  canvas.parentElement.style.height = `${canvas.parentElement.dataset.heightPx}px`;
  const config = JSON.parse(document.getElementById(`${canvas.dataset.chart}-config`).textContent);
  new Chart(canvas, config);
});
