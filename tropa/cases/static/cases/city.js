// The city list follows the chosen country: other countries' groups are hidden. Without
// JavaScript the grouped list works as it is, and the server checks that the city is in
// the country.
document.addEventListener("DOMContentLoaded", () => {
  const country = document.querySelector("select[data-city-country]");
  const city = document.querySelector("select[data-city-select]");
  if (!country || !city) return;
  const names = Object.fromEntries([...country.options].map((o) => [o.value, o.text]));
  const follow = () => {
    const wanted = names[country.value];
    for (const group of city.querySelectorAll("optgroup")) {
      const mine = group.label === wanted;
      group.hidden = !mine;
      group.disabled = !mine;
    }
    const chosen = city.selectedOptions[0];
    if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) {
      city.value = "";
    }
  };
  country.addEventListener("change", follow);
  follow();
});
