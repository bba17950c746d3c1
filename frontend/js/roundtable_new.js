// The create form shows the fields of the ticked languages only. Without this script every language's
// fields show, and the server reads only the ticked ones (forms.py: RoundtableForm).
const form = document.getElementById("roundtable-new");

function showTicked() {
  const ticked = new Set(
    [...form.querySelectorAll('input[name="languages"]:checked')].map((box) => box.value),
  );
  for (const fieldset of form.querySelectorAll(".language-fields")) {
    fieldset.hidden = !ticked.has(fieldset.dataset.language);
  }
}

if (form) {
  form.addEventListener("change", (event) => {
    if (event.target.name === "languages") showTicked();
  });
  showTicked();
}

// After a refused submission, take the keyboard to the first field in error.
const firstInvalid = document.querySelector('[aria-invalid="true"]');
if (firstInvalid && !firstInvalid.closest("[hidden]")) firstInvalid.focus();
