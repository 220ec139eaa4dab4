"""The Women's Federation's programmes (市妇联, issue 23): 两癌 aid, 四点半学校 and pairings,
妇儿家园 homes, and 精神扶贫 classes, activities and selections."""
