// placeholder: bundling step (see issue 7)
