// The site header's menus (loaded by base.html; a file, so the CSP needs no nonce).
(function () {
  // The navigation folds behind "Menu" at phone width (CSS decides when); Escape or a
  // click elsewhere closes the account menu.
  var header = document.querySelector(".site-header");
  var toggle = header.querySelector(".nav-toggle");
  header.classList.add("nav-folds");
  toggle.addEventListener("click", function () {
    toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
  });
  var account = header.querySelector(".account-menu");
  if (!account) return;
  document.addEventListener("click", function (event) {
    if (account.open && !account.contains(event.target)) account.open = false;
  });
  account.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && account.open) {
      account.open = false;
      account.querySelector("summary").focus();
    }
  });
})();
