// The mask painter: the photo is cropped to a centred square and shown on one canvas;
// strokes go on a second canvas laid over it. On submit the painted pixels become the
// transparent pixels of the mask PNG the edit API expects (same size as the photo).
const form = document.getElementById("edit-form");
const imageInput = document.getElementById("id_image");
const maskInput = document.getElementById("id_mask");
const painter = document.getElementById("painter");
const photo = document.getElementById("photo-canvas");
const overlay = document.getElementById("mask-canvas");
const cursor = document.getElementById("brush-cursor");
const sizeInput = document.getElementById("brush-size");
const sizeOut = document.getElementById("brush-size-out");
const brushBtn = document.getElementById("tool-brush");
const eraserBtn = document.getElementById("tool-eraser");
const statusEl = document.getElementById("painter-status");
const labels = JSON.parse(document.getElementById("painter-labels").textContent);
const MAX_SIDE = 1024;
const UNDO_DEPTH = 30;

const ctx = overlay.getContext("2d", { willReadFrequently: true });
let erasing = false;
let drawing = false;
let last = null;
let ready = false;
const history = [];
const keyPos = { x: 0, y: 0 };

function say(text) { statusEl.textContent = text; }
function scale() { return overlay.width / overlay.clientWidth || 1; }
function brushPx() { return Number(sizeInput.value) * scale(); }

function snapshot() {
  history.push(ctx.getImageData(0, 0, overlay.width, overlay.height));
  if (history.length > UNDO_DEPTH) history.shift();
}

function stroke(from, to) {
  ctx.save();
  ctx.globalCompositeOperation = erasing ? "destination-out" : "source-over";
  ctx.strokeStyle = ctx.fillStyle = "rgba(255, 0, 90, 1)";
  ctx.lineWidth = brushPx();
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x + 0.01, to.y);
  ctx.stroke();
  ctx.restore();
}

function point(event) {
  const rect = overlay.getBoundingClientRect();
  const s = overlay.width / rect.width;
  return { x: (event.clientX - rect.left) * s, y: (event.clientY - rect.top) * s };
}

function placeCursor() {
  const s = scale();
  const d = Number(sizeInput.value);
  cursor.style.width = cursor.style.height = `${d}px`;
  cursor.style.left = `${keyPos.x / s - d / 2}px`;
  cursor.style.top = `${keyPos.y / s - d / 2}px`;
}

function setTool(eraser) {
  erasing = eraser;
  brushBtn.setAttribute("aria-pressed", String(!eraser));
  eraserBtn.setAttribute("aria-pressed", String(eraser));
}

function undo() {
  if (!history.length) return;
  ctx.putImageData(history.pop(), 0, 0);
  say(labels.undone);
}

function clear() {
  snapshot();
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  say(labels.cleared);
}

function painted() {
  const data = ctx.getImageData(0, 0, overlay.width, overlay.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
  return false;
}

async function load(file) {
  let bitmap;
  try { bitmap = await createImageBitmap(file); } catch (err) { say(labels.unreadable); return; }
  const side = Math.min(bitmap.width, bitmap.height);
  const out = Math.min(side, MAX_SIDE);
  for (const canvas of [photo, overlay]) { canvas.width = canvas.height = out; }
  photo.getContext("2d").drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, out, out);
  ctx.clearRect(0, 0, out, out);
  history.length = 0;
  keyPos.x = keyPos.y = out / 2;
  painter.hidden = false;
  ready = true;
  placeCursor();
  say(bitmap.width !== bitmap.height ? `${labels.loaded} ${labels.cropped}` : labels.loaded);
}

function toBlob(canvas) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

async function buildFiles() {
  const w = overlay.width;
  const paint = ctx.getImageData(0, 0, w, w).data;
  const maskCanvas = document.createElement("canvas");
  maskCanvas.width = maskCanvas.height = w;
  const mctx = maskCanvas.getContext("2d");
  const mask = mctx.createImageData(w, w);
  for (let i = 0; i < paint.length; i += 4) {
    mask.data[i + 3] = paint[i + 3] > 0 ? 0 : 255;  // painted → fully transparent → edited
  }
  mctx.putImageData(mask, 0, 0);
  const [imageBlob, maskBlob] = await Promise.all([toBlob(photo), toBlob(maskCanvas)]);
  const imageFiles = new DataTransfer();
  imageFiles.items.add(new File([imageBlob], "photo.png", { type: "image/png" }));
  const maskFiles = new DataTransfer();
  maskFiles.items.add(new File([maskBlob], "mask.png", { type: "image/png" }));
  imageInput.files = imageFiles.files;
  maskInput.files = maskFiles.files;
}

imageInput.addEventListener("change", () => { if (imageInput.files.length) load(imageInput.files[0]); });

overlay.addEventListener("pointerdown", (event) => {
  if (!ready) return;
  overlay.setPointerCapture(event.pointerId);
  snapshot();
  drawing = true;
  last = point(event);
  stroke(last, last);
});
overlay.addEventListener("pointermove", (event) => {
  const p = point(event);
  keyPos.x = p.x; keyPos.y = p.y;
  placeCursor();
  if (!drawing) return;
  stroke(last, p);
  last = p;
});
["pointerup", "pointercancel"].forEach((name) => overlay.addEventListener(name, () => { drawing = false; last = null; }));

overlay.addEventListener("keydown", (event) => {
  if (!ready) return;
  const step = (event.shiftKey ? 32 : 8) * scale();
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (moves[event.key]) {
    keyPos.x = Math.max(0, Math.min(overlay.width, keyPos.x + moves[event.key][0]));
    keyPos.y = Math.max(0, Math.min(overlay.height, keyPos.y + moves[event.key][1]));
    placeCursor();
  } else if (event.key === " " || event.key === "Enter") {
    snapshot();
    stroke(keyPos, keyPos);
    say(labels.painted.replace("%(x)s", Math.round(keyPos.x)).replace("%(y)s", Math.round(keyPos.y)));
  } else if (event.key === "[" || event.key === "]") {
    sizeInput.value = Number(sizeInput.value) + (event.key === "]" ? 4 : -4);
    sizeInput.dispatchEvent(new Event("input"));
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    undo();
  } else {
    return;
  }
  event.preventDefault();
});

sizeInput.addEventListener("input", () => { sizeOut.value = sizeInput.value; placeCursor(); });
brushBtn.addEventListener("click", () => setTool(false));
eraserBtn.addEventListener("click", () => setTool(true));
document.getElementById("painter-undo").addEventListener("click", undo);
document.getElementById("painter-clear").addEventListener("click", clear);

form.addEventListener("submit", async (event) => {
  if (!ready) return;  // no painter in use: the form posts the files as chosen
  event.preventDefault();
  if (!painted()) { say(labels.empty); overlay.focus(); return; }
  await buildFiles();
  form.submit();
});

if (imageInput.files.length) load(imageInput.files[0]);
