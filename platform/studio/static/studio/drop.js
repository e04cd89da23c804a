// Drag-and-drop onto the verify form: the dropped file fills the file input and the form submits.
const zone = document.getElementById("dropzone");
const input = zone.querySelector("input[type=file]");
const form = document.getElementById("verify-form");

["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
  event.preventDefault();
  zone.classList.add("over");
}));
["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (!event.dataTransfer.files.length) return;
  const files = new DataTransfer();
  files.items.add(event.dataTransfer.files[0]);
  input.files = files.files;
  form.requestSubmit();
});
