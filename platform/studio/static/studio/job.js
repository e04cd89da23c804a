// Live progress for one job: poll the job API (session-authenticated GET) and show
// the stage and step; reload once the job ends or leaves review, so the server
// renders the images or the refusal in the reader's language.
const root = document.getElementById("job");
const labels = JSON.parse(document.getElementById("job-labels").textContent);
const TERMINAL = new Set(["succeeded", "blocked", "failed", "cancelled"]);
const statusEl = document.getElementById("job-status");
const stageEl = document.getElementById("job-stage");
const barEl = document.getElementById("job-progress");
const lostEl = document.getElementById("job-lost");
let shown = root.dataset.status;

function stepText(step, total) {
  return labels.step.replace("%(step)s", step).replace("%(total)s", total);
}

function render(job) {
  statusEl.textContent = labels.status[job.status] || job.status;
  const p = job.progress || {};
  if (stageEl) {
    const stage = labels.stage[p.stage] ?? p.stage ?? "";
    stageEl.textContent = p.total ? `${stage} — ${stepText(p.step, p.total)}` : stage;
  }
  if (barEl) {
    if (p.total) { barEl.max = p.total; barEl.value = p.step; } else { barEl.removeAttribute("value"); }
  }
  root.dataset.status = job.status;
}

async function poll() {
  let delay = 600;
  try {
    const response = await fetch(root.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const job = await response.json();
    if (lostEl) lostEl.hidden = true;
    render(job);
    if (TERMINAL.has(job.status) || (job.status === "held") !== (shown === "held")) {
      window.location.reload();
      return;
    }
    shown = job.status;
    if (job.status === "held") delay = 2000;
  } catch (err) {
    if (lostEl) { lostEl.textContent = labels.lost; lostEl.hidden = false; }
    delay = 3000;
  }
  setTimeout(poll, delay);
}

poll();
