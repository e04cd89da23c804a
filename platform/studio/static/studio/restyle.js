// Show the amount slider's value next to its label as it moves.
const slider = document.getElementById("id_amount");
const shown = document.getElementById("amount-value");
if (slider && shown) {
  const update = () => { shown.textContent = Number(slider.value).toFixed(2); };
  slider.addEventListener("input", update);
  update();
}
