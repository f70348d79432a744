// placeholder until the apply stage lands
